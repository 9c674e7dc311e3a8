/**
 * Counts said in words, rounded where they are large: reasoning states sizes without digits,
 * which could be one of the answer's own numbers (the knowledge boundary's literal check).
 */
export const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
const TENS = ['', 'ten', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety', 'a hundred'];

/** `three`, `over a dozen`, `about forty`, `about two hundred`, `about three thousand`, `many thousand`. */
export function about(n: number): string {
  if (n <= 12) return NUMBER_WORDS[n]!;
  if (n < 20) return 'over a dozen';
  if (n < 100) return `about ${TENS[Math.round(n / 10)]}`;
  if (n < 1000) return `about ${NUMBER_WORDS[Math.round(n / 100)] ?? 'ten'} hundred`;
  const k = Math.round(n / 1000);
  return k <= 12 ? `about ${NUMBER_WORDS[k]} thousand` : 'many thousand';
}
