/** The generated slim copy of @pydantic/genai-prices (see prices-slim.mjs). */
export const SLIM_PRICES: string;
/** Writes it when missing or older than the package; 0 on success. */
export function ensurePrices(): number;
