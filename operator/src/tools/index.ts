export {
  ccaasBuilderDir,
  fabricConfigDir,
  toolBin,
  toolDir,
  toolsCacheRoot,
  type ToolName,
} from './paths.js';
export { parseVersions, repoRoot, toolVersion, versionsFile } from './versions.js';
export {
  legacyOuterDbServer,
  postgresBinDir,
  prepareOuterDb,
  type OuterDbIndex,
  type OuterDbServer,
  type ServerCommand,
} from './outer-db.js';
