/** A token estimate from characters (about 4 a token): no tokenizer tables in the bundle. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);
