/* The native side of the map workload: a hash table of the same shape as a
 * microbpf HASH map (FNV-1a over the key bytes, power-of-two buckets, chains
 * through a next array, a free list, keys compared byte-wise, values copied
 * byte-wise), so that native and eBPF do the same work apart from the
 * helper-call path. Fixed capacity, static storage, native build only. */
#ifndef BENCH_NATIVE_HASH_H
#define BENCH_NATIVE_HASH_H

#include <stdint.h>
#include <string.h>

#define NH_NIL 0xffffffffu

typedef struct native_hash {
    uint32_t key_size, value_size, num_buckets, free_head;
    uint8_t *keys, *values;
    uint32_t *next, *buckets;
} native_hash;

static void nh_init(native_hash *h, uint32_t key_size, uint32_t value_size, uint32_t max,
                    uint8_t *keys, uint8_t *values, uint32_t *next, uint32_t *buckets,
                    uint32_t num_buckets)
{
    *h = (native_hash){key_size, value_size, num_buckets, 0, keys, values, next, buckets};
    for (uint32_t i = 0; i < max; i++)
        next[i] = i + 1 < max ? i + 1 : NH_NIL;
    for (uint32_t i = 0; i < num_buckets; i++)
        buckets[i] = NH_NIL;
}

static uint32_t nh_hash(const uint8_t *key, uint32_t n)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ key[i]) * 16777619u;
    return h;
}

static uint32_t nh_find(native_hash *h, const void *key, uint32_t **link_out)
{
    uint32_t *link = &h->buckets[nh_hash(key, h->key_size) & (h->num_buckets - 1u)];
    while (*link != NH_NIL) {
        uint32_t e = *link;
        if (memcmp(h->keys + e * h->key_size, key, h->key_size) == 0)
            break;
        link = &h->next[e];
    }
    *link_out = link;
    return *link;
}

static void *nh_lookup(native_hash *h, const void *key)
{
    uint32_t *link;
    uint32_t e = nh_find(h, key, &link);
    return e == NH_NIL ? 0 : h->values + e * h->value_size;
}

static long nh_update(native_hash *h, const void *key, const void *value)
{
    uint32_t *link;
    uint32_t e = nh_find(h, key, &link);
    if (e == NH_NIL) {
        if (h->free_head == NH_NIL)
            return -7;
        e = h->free_head;
        h->free_head = h->next[e];
        memcpy(h->keys + e * h->key_size, key, h->key_size);
        h->next[e] = NH_NIL;
        *link = e;
    }
    memcpy(h->values + e * h->value_size, value, h->value_size);
    return 0;
}

static long nh_delete(native_hash *h, const void *key)
{
    uint32_t *link;
    uint32_t e = nh_find(h, key, &link);
    if (e == NH_NIL)
        return -2;
    *link = h->next[e];
    h->next[e] = h->free_head;
    h->free_head = e;
    return 0;
}

#endif
