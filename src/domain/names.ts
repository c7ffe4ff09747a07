/**
 * The search form of a name: lower case, accents removed, ligatures spelt out, every run of other
 * characters (hyphens, apostrophes, punctuation, spaces) one space, trimmed.
 * "L'Haÿ-les-Roses" → "l hay les roses"; "Œuilly" → "oeuilly".
 * One form for both sides: the territories reference writes it (`nomRecherche`), the store's territory
 * queries apply it to what is searched.
 */
export function normaliserNom(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
