export interface StreamOptions<T> {
  /** Starts hearing items live; resolves once listening, to the way to stop. `interrupt` ends the stream with an error. */
  listen: (push: (item: T) => void, interrupt: (error: Error) => void) => Promise<() => void>;
  /** Items from before (a resume), oldest first; read after listening has started. */
  replay?: () => Promise<T[]>;
  /** An item's identity: one heard live that the replay already gave is skipped. */
  keyOf?: (item: T) => string;
  /** Live items kept while the client reads slower than they come; the oldest go first beyond it. */
  bufferSize: number;
  onDropped: () => void;
  /**
   * Runs before each item is handed on (fresh loaders, a membership check): false skips the item, an error
   * ends the stream with it.
   */
  beforeDelivery: (item: T) => Promise<boolean>;
}

/**
 * One subscription's items as an async iterator. Listening starts before the replay is read, so an item
 * committed in between comes live and is not lost; one both replayed and heard live is delivered once.
 * Memory is bounded: a slow consumer's live items wait in a buffer of `bufferSize` and the oldest are
 * dropped (and counted) beyond it; the transport awaits each send before it takes the next item.
 */
export async function openStream<T>(options: StreamOptions<T>): Promise<AsyncIterableIterator<T>> {
  const live: T[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  // While the replay is served, live items wait behind it: the bound grows by what is left to replay, so a
  // client that keeps up loses nothing to a long replay, and memory stays bounded.
  let replayed: T[] = [];
  let failure: Error | undefined;
  const stopListening = await options.listen(
    (item) => {
      if (ended) return;
      if (live.length >= options.bufferSize + replayed.length) {
        live.shift();
        options.onDropped();
      }
      live.push(item);
      wake?.();
    },
    (error) => {
      failure ??= error;
      wake?.();
    },
  );

  try {
    replayed = options.replay ? await options.replay() : [];
  } catch (error) {
    stopListening();
    throw error;
  }
  const { keyOf } = options;
  const replayedKeys = new Set(keyOf ? replayed.map(keyOf) : []);
  let replaying = replayed.length > 0;

  const finish = () => {
    if (ended) return;
    ended = true;
    stopListening();
    live.length = 0;
    wake?.();
  };

  async function nextItem(): Promise<T | undefined> {
    for (;;) {
      if (ended) return undefined;
      if (failure) throw failure;
      if (replaying && replayed.length === 0) replaying = false;
      const fromReplay = replaying;
      const item = fromReplay ? replayed.shift() : live.shift();
      if (item === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (!fromReplay && keyOf && replayedKeys.has(keyOf(item))) continue;
      const deliver = await options.beforeDelivery(item);
      // Ended meanwhile (the client completed): nothing more goes out.
      if (ended) return undefined;
      if (deliver) return item;
    }
  }

  const iterator: AsyncIterableIterator<T> = {
    async next() {
      try {
        const item = await nextItem();
        return item === undefined ? { done: true, value: undefined } : { done: false, value: item };
      } catch (error) {
        finish();
        throw error;
      }
    },
    async return() {
      finish();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
