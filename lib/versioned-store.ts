/**
 * Values kept under the version of the data they were read from, handed out only to a caller that
 * finds exactly that version (read from the database for its own request), so nothing kept can be
 * handed out stale. The least recently used is forgotten first, within a number of entries and a
 * total size (`sizeOf`'s units); a value larger than `largest` is not kept.
 */
export class VersionedStore<T> {
  private readonly kept = new Map<string, { version: string; value: T; size: number }>();
  private size = 0;

  constructor(private readonly limits: { total: number; largest: number; entries?: number; sizeOf: (value: T) => number }) {}

  /** What `key` holds at `version`, now the most recently used; undefined when it holds another or nothing. */
  get(key: string, version: string): T | undefined {
    const hit = this.kept.get(key);
    if (hit?.version !== version) return undefined;
    // The Map's order is least recently used first.
    this.kept.delete(key);
    this.kept.set(key, hit);
    return hit.value;
  }

  /**
   * What `key` holds at `version`, else `load`'s value, kept for the next caller that finds the
   * same version. A null version (unknown, or data that must not be kept) always loads and keeps nothing.
   */
  async read(key: string, version: string | null, load: () => Promise<T>): Promise<T> {
    const hit = version === null ? undefined : this.get(key, version);
    if (hit !== undefined) return hit;
    const value = await load();
    if (version !== null) this.set(key, version, value);
    return value;
  }

  /** Keeps `value` as what `key` holds at `version`, in place of what it held. */
  set(key: string, version: string, value: T): void {
    this.forget(key);
    const size = this.limits.sizeOf(value);
    if (size > this.limits.largest) return;
    this.kept.set(key, { version, value, size });
    this.size += size;
    for (const oldest of this.kept.keys()) {
      if (this.kept.size <= (this.limits.entries ?? Number.POSITIVE_INFINITY) && this.size <= this.limits.total) break;
      this.forget(oldest);
    }
  }

  private forget(key: string): void {
    const entry = this.kept.get(key);
    if (!entry) return;
    this.kept.delete(key);
    this.size -= entry.size;
  }
}
