import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of `target`, that a test can cut (every connection, open or new,
 * is reset) and restore, to simulate a dependency that goes away and comes back.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private readonly clients = new Set<Socket>();
  private cut_ = false;
  private accepted = 0;

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Listens on a free port. */
  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new TcpProxy(server, target);
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy is not listening');
    return address.port;
  }

  /** Connections currently relayed. */
  get openConnections(): number {
    return this.sockets.size / 2;
  }

  /** Connections relayed since the start. */
  get acceptedConnections(): number {
    return this.accepted;
  }

  get isCut(): boolean {
    return this.cut_;
  }

  /** Resets every open connection and every new one until `restore()`. */
  cut(): void {
    this.cut_ = true;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  restore(): void {
    this.cut_ = false;
  }

  /**
   * Stops reading what clients send (a peer that no longer reads, such as a blocked broker); what the
   * target sends still arrives, and connections stay open.
   */
  freeze(): void {
    for (const client of this.clients) {
      client.unpipe();
      client.pause();
    }
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.cut_) {
      client.resetAndDestroy();
      return;
    }
    this.accepted++;
    const upstream = createConnection(this.target);
    this.sockets.add(client);
    this.sockets.add(upstream);
    this.clients.add(client);
    const drop = () => {
      this.clients.delete(client);
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', drop);
      socket.on('close', drop);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
