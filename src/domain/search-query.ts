/**
 * A search box's query in web-search syntax, as PostgreSQL's websearch_to_tsquery reads it: words are all
 * required, "quoted words" are a phrase, a leading `-` excludes a word or a phrase, and `or` between terms
 * offers alternatives (each alternative is all of its terms, as AND binds tighter than OR there too).
 * Words are lower-cased and split at anything that is not a letter or a digit ("night-shift" is two words).
 */
export interface SearchAlternative {
  words: string[];
  phrases: string[];
  excludedWords: string[];
  excludedPhrases: string[];
}

export interface SearchQuery {
  alternatives: SearchAlternative[];
  /** The wanted words and phrases, for ranking by similarity (exclusions would pull the wrong titles up). */
  wanted: string;
}

const TOKEN = /(-?)"([^"]*)"?|(-?)([^\s"]+)/gu;
const WORD_SEPARATOR = /[^\p{L}\p{N}]+/u;

function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(WORD_SEPARATOR)
    .filter((word) => word.length > 0);
}

function emptyAlternative(): SearchAlternative {
  return { words: [], phrases: [], excludedWords: [], excludedPhrases: [] };
}

function isEmpty(alternative: SearchAlternative): boolean {
  return (
    alternative.words.length +
      alternative.phrases.length +
      alternative.excludedWords.length +
      alternative.excludedPhrases.length ===
    0
  );
}

/** Words, phrases and exclusions a search may hold in all: each is a condition on every candidate study. */
export const MAX_SEARCH_TERMS = 12;

export function termCount(query: SearchQuery): number {
  return query.alternatives.reduce(
    (sum, a) => sum + a.words.length + a.phrases.length + a.excludedWords.length + a.excludedPhrases.length,
    0,
  );
}

/** One pass over the text: linear in its length. */
export function parseSearchQuery(text: string): SearchQuery {
  const alternatives: SearchAlternative[] = [];
  let current = emptyAlternative();
  for (const match of text.matchAll(TOKEN)) {
    const [, phraseMinus, phrase, wordMinus, word] = match;
    if (phrase !== undefined) {
      const words = wordsOf(phrase);
      if (words.length === 0) continue;
      (phraseMinus ? current.excludedPhrases : current.phrases).push(words.join(' '));
      continue;
    }
    if (!wordMinus && word.toLowerCase() === 'or') {
      if (!isEmpty(current)) alternatives.push(current);
      current = emptyAlternative();
      continue;
    }
    const words = wordsOf(word);
    if (wordMinus) {
      // "-night-shift" excludes the phrase it spells, as websearch_to_tsquery reads it.
      if (words.length === 1) current.excludedWords.push(words[0]);
      else if (words.length > 1) current.excludedPhrases.push(words.join(' '));
    } else {
      current.words.push(...words);
    }
  }
  if (!isEmpty(current)) alternatives.push(current);
  for (const alternative of alternatives) alternative.words = [...new Set(alternative.words)];
  const wanted = alternatives.flatMap((a) => [...a.words, ...a.phrases]).join(' ');
  return { alternatives, wanted };
}

/**
 * How many edits a word may be away from a title's word and still match it: none for words of up to three
 * letters (too many neighbours), one for four, two from five on (a swap of two letters is two edits);
 * none for numbers.
 */
export function typoAllowance(word: string): number {
  // A number is a number: 2024 is not 2025.
  if (/^\p{N}+$/u.test(word)) return 0;
  const length = [...word].length;
  return length <= 3 ? 0 : length === 4 ? 1 : 2;
}
