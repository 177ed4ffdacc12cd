import { join } from 'node:path';

/** Where the local runtime keeps each thing under its data directory. */
export class Layout {
  constructor(readonly root: string) {}

  get portsFile(): string {
    return join(this.root, 'ports.json');
  }
  get statusFile(): string {
    return join(this.root, 'status.json');
  }
  log(name: string): string {
    return join(this.root, 'logs', `${name}.log`);
  }
  /** fabric-ca-server home of an org's enrollment CA ("ca") or TLS CA ("tlsca"). */
  caHome(org: string, which: 'ca' | 'tlsca'): string {
    return join(this.root, 'orgs', org, which);
  }
  orgMsp(org: string): string {
    return join(this.root, 'orgs', org, 'msp');
  }
  /** A user identity of an org: msp/ and tls/. */
  user(org: string, id: string): string {
    return join(this.root, 'orgs', org, 'users', id);
  }
  /** A node (peer, orderer): msp/, tls/, data/, config/. */
  node(name: string): string {
    return join(this.root, 'nodes', name);
  }
  channelDir(channel: string): string {
    return join(this.root, 'channels', channel);
  }
  chaincodeDir(name: string): string {
    return join(this.root, 'chaincodes', name);
  }
}
