import { WebSocket } from 'ws';

export interface ProtocolMessage {
  id?: string;
  type: string;
  payload?: any;
}

/** A graphql-transport-ws client on a real WebSocket, kept raw so tests see every message and close code. */
export class WsClient {
  readonly messages: ProtocolMessage[] = [];
  closed?: { code: number; reason: string };
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      // Text frames arrive as Buffers (ws's default binaryType, 'nodebuffer').
      this.messages.push(JSON.parse((data as Buffer).toString('utf8')) as ProtocolMessage);
      this.notify();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      this.notify();
    });
  }

  /** Opens the socket and sends connection_init; does not wait for the answer. */
  static async open(httpUrl: string, payload?: Record<string, unknown>): Promise<WsClient> {
    const socket = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const client = new WsClient(socket);
    client.send({ type: 'connection_init', ...(payload ? { payload } : {}) });
    return client;
  }

  /** Opens and waits for connection_ack (fails on a close instead). */
  static async connect(httpUrl: string, token: string): Promise<WsClient> {
    const client = await WsClient.open(httpUrl, { authorization: `Bearer ${token}` });
    await client.until('connection_ack', () => client.messages.some((m) => m.type === 'connection_ack'));
    return client;
  }

  send(message: ProtocolMessage): void {
    this.socket.send(JSON.stringify(message));
  }

  subscribe(id: string, query: string, variables?: Record<string, unknown>): void {
    this.send({ id, type: 'subscribe', payload: { query, variables } });
  }

  /** Messages of one operation, by type. */
  of(id: string, type = 'next'): ProtocolMessage[] {
    return this.messages.filter((m) => m.id === id && m.type === type);
  }

  /** Waits for `count` next messages of an operation (fails early on its error or the socket's close). */
  async nexts(id: string, count: number, timeoutMs = 10_000): Promise<any[]> {
    await this.until(
      `${count} events of ${id}`,
      () => {
        const failed = this.of(id, 'error')[0];
        if (failed) throw new Error(`subscription ${id} failed: ${JSON.stringify(failed.payload)}`);
        return this.of(id).length >= count;
      },
      timeoutMs,
    );
    return this.of(id).map((m) => m.payload);
  }

  async until(what: string, ready: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (this.closed && !what.startsWith('close'))
        throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async closeCode(timeoutMs = 10_000): Promise<number> {
    await this.until('close', () => this.closed !== undefined, timeoutMs);
    return this.closed!.code;
  }

  close(): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING)
      this.socket.close(1000);
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
