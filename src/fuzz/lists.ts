/**
 * A comma-separated list of distinct enum words, as `_type` and `_status` take: each word in or
 * out by a coin, in the enum's order or reversed. Coins shrink well (each to "out" on its own),
 * so a failing list shrinks to the words that matter, where fast-check's array shrinkers only cut
 * from the front.
 */
import fc from 'fast-check';

export function enumList(words: readonly string[], minLength = 1): fc.Arbitrary<string> {
  return fc
    .tuple(fc.array(fc.boolean(), { minLength: words.length, maxLength: words.length }), fc.boolean())
    .map(([chosen, reversed]) => {
      const list = words.filter((_, i) => chosen[i]);
      return (reversed ? list.reverse() : list).join(',');
    })
    .filter((text) => (text === '' ? 0 : text.split(',').length) >= minLength);
}
