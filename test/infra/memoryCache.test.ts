import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../../src/infra/cache.js';

describe('MemoryCache', () => {
  it('serves what was stored until a tag it carries is invalidated', async () => {
    const cache = new MemoryCache(10);
    const miss = await cache.get('k');
    expect(miss.hit).toBe(false);
    await cache.set('k', 'v', 60_000, ['fs:*'], miss.hit ? undefined : miss.fill);
    expect(await cache.get('k')).toEqual({ hit: true, value: 'v' });
    await cache.invalidate(['db:*']);
    expect((await cache.get('k')).hit).toBe(true);
    await cache.invalidate(['fs:*']);
    expect((await cache.get('k')).hit).toBe(false);
    await cache.close();
  });

  it('does not cache a read that began before a write and finished after it', async () => {
    const cache = new MemoryCache(10);
    const slowRead = await cache.get('k'); // the read starts…
    await cache.invalidate(['fs:*']); // …a write lands and returns…
    await cache.set('k', 'old data', 60_000, ['fs:*'], slowRead.hit ? undefined : slowRead.fill); // …the read finishes
    expect((await cache.get('k')).hit).toBe(false);
    // An unrelated tag's write does not stop the fill.
    const other = await cache.get('k2');
    await cache.invalidate(['db:*']);
    await cache.set('k2', 'fine', 60_000, ['fs:*'], other.hit ? undefined : other.fill);
    expect(await cache.get('k2')).toEqual({ hit: true, value: 'fine' });
    await cache.close();
  });

  it('keeps at most the configured number of entries', async () => {
    const cache = new MemoryCache(3);
    for (let i = 0; i < 10; i++) await cache.set(`k${i}`, i, 60_000, []);
    expect(cache.size).toBe(3);
    expect((await cache.get('k9')).hit).toBe(true);
    expect((await cache.get('k0')).hit).toBe(false);
    await cache.close();
  });
});
