/**
 * The size DynamoDB bills an item at, by its documented rules: attribute names plus values; a string
 * is its UTF-8 length, a number about one byte per two significant digits plus one, null and booleans
 * one byte, a list or map 3 bytes plus one per element. Used to show what one item costs to write.
 */
export const itemSize = (item: Record<string, unknown>): number =>
  Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value), 0);

const valueSize = (value: unknown): number => {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number')
    return (
      Math.ceil(
        String(Math.abs(value))
          .replace(/[.e+-]/g, '')
          .replace(/^0+/, '').length / 2,
      ) + 1
    );
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueSize(v), 0);
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + valueSize(v), 0);
  const entries = Object.entries(value as Record<string, unknown>);
  return 3 + entries.reduce((sum, [name, v]) => sum + 1 + Buffer.byteLength(name) + valueSize(v), 0);
};

/**
 * What one item may weigh here: DynamoDB takes 400 KB (409,600 bytes, names included); the margin
 * covers the estimate above rounding numbers and maps differently.
 */
export const MAX_ITEM_BYTES = 400_000;

/** The most one part item of a large aggregate carries (store/parts.ts). */
export const PART_BYTES = 128 * 1024;

/** What an item stands for, its parts included (at most PART_BYTES each), from the item alone. */
export const storedBytes = (item: Record<string, unknown>): number =>
  itemSize(item) + (Array.isArray(item.parts) ? item.parts.length * PART_BYTES : 0);

/** What one TransactWriteItems may carry: 100 actions and 4 MB. */
export const MAX_TRANSACTION_ACTIONS = 100;
export const MAX_TRANSACTION_BYTES = 4_000_000;
