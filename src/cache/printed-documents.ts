import { print, type DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';

/** Far more than a client app's operations; a client sending ever new large documents only evicts its own. */
const PRINTED_DOCUMENTS_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Documents as printed from their parse (formatting and comments gone: the response cache's key), kept by
 * the hash of the text a client sent. Clients choose these texts and their sizes, so the bound is in bytes
 * (characters: a document is ASCII but for its string literals), not in entries.
 */
export class PrintedDocuments {
  private readonly texts: LRUCache<string, string>;

  constructor(maxBytes = PRINTED_DOCUMENTS_MAX_BYTES) {
    // One more than the lengths: lru-cache refuses a size of 0 (an empty source without a hash).
    this.texts = new LRUCache({ maxSize: maxBytes, sizeCalculation: (text, hash) => text.length + hash.length + 1 });
  }

  /** Without a hash the text is printed every time: an empty key would be shared by every such document. */
  textOf(queryHash: string | undefined, document: DocumentNode | undefined, source: string | undefined): string {
    let text = queryHash === undefined ? undefined : this.texts.get(queryHash);
    if (text === undefined) {
      text = document ? print(document) : (source ?? '');
      if (queryHash !== undefined) this.texts.set(queryHash, text);
    }
    return text;
  }

  /** The bytes kept, by the same measure as the bound. */
  get keptBytes(): number {
    return this.texts.calculatedSize;
  }
}
