export {
  ccaasBuilderDir,
  fabricConfigDir,
  toolBin,
  toolDir,
  toolsCacheRoot,
  type ToolName,
} from './paths.js';
export { parseVersions, repoRoot, toolVersion, versionsFile } from './versions.js';
export { postgresBinDir, prepareOuterDb, type OuterDbServer, type ServerCommand } from './outer-db.js';
