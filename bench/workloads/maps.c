/* Map-heavy program: WL_N keys taken from .rodata are inserted into a HASH
 * map (u32 -> u64, 64 entries), each is then looked up and its value updated
 * through the returned pointer, then all are deleted again (so every run
 * starts from an empty map). eBPF: the map helpers; native: native_hash.h, a
 * table of the same shape. */
#include "workload.h"

#ifndef WL_N
#define WL_N 48
#endif
#define MAP_ENTRIES 64

static const uint8_t input[320] = {WL_BYTES(320)}; /* 4 * WL_N used */

#if defined(__bpf__)
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, MAP_ENTRIES);
    __type(key, uint32_t);
    __type(value, uint64_t);
} counts SEC(".maps");
#define MAP_UPDATE(k, v) bpf_map_update_elem(&counts, (k), (v), BPF_ANY)
#define MAP_LOOKUP(k) bpf_map_lookup_elem(&counts, (k))
#define MAP_DELETE(k) bpf_map_delete_elem(&counts, (k))
#define MAP_SETUP()
#else
#include "native_hash.h"
static native_hash counts;
static uint8_t counts_keys[MAP_ENTRIES * 4];
static uint64_t counts_values[MAP_ENTRIES];
static uint32_t counts_next[MAP_ENTRIES], counts_buckets[MAP_ENTRIES];
#define MAP_UPDATE(k, v) nh_update(&counts, (k), (v))
#define MAP_LOOKUP(k) nh_lookup(&counts, (k))
#define MAP_DELETE(k) nh_delete(&counts, (k))
/* Not measured apart: a device map is laid out once at load time, the
 * native table here once per run; it is 2 short loops. */
#define MAP_SETUP()                                                                      \
    nh_init(&counts, 4, 8, MAP_ENTRIES, counts_keys, (uint8_t *)counts_values,          \
            counts_next, counts_buckets, MAP_ENTRIES)
#endif

static uint32_t key_at(const uint8_t *data, uint32_t i)
{
    return (uint32_t)data[4 * i] | (uint32_t)data[4 * i + 1] << 8 |
           (uint32_t)data[4 * i + 2] << 16 | (uint32_t)data[4 * i + 3] << 24;
}

static uint32_t map_work(const uint8_t *data, uint32_t n)
{
    uint32_t failures = 0;
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t key = key_at(data, i) & 0x3ff; /* some keys repeat */
        uint64_t value = i;
        if (MAP_UPDATE(&key, &value))
            failures++;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t key = key_at(data, i) & 0x3ff;
        uint64_t *v = MAP_LOOKUP(&key);
        if (v) {
            *v += key;
            total += *v;
        } else {
            failures++;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t key = key_at(data, i) & 0x3ff;
        MAP_DELETE(&key); /* fails for repeated keys: counted in the result */
    }
    return (uint32_t)total ^ failures << 24;
}

WL_MAIN
{
    const uint8_t *p = input;
    uint32_t n = WL_N;
    WL_HIDE(p);
    WL_HIDE(n);
    MAP_SETUP();
    return map_work(p, n);
}
