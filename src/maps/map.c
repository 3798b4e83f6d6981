/* ARRAY and HASH maps in caller memory, with fixed capacity.
 *
 * Layout in the caller's block (each part 8-aligned):
 *   values   max_entries * value_size  (the only part a program may touch)
 *   keys     HASH: max_entries * key_size
 *   next     HASH: u32 per entry: next entry in its chain, or in the free list
 *   buckets  HASH: u32 chain heads, a power of two >= max_entries
 * Entry i's key and value sit at the same index, so there is no per-entry
 * header inside the value block that a program could overwrite. Deleted
 * entries go back to a free list: no tombstones, no rehashing.
 */
#include <string.h>

#include "mbpf/maps.h"

#define NIL 0xffffffffu
#define MAX_ENTRIES (1u << 24)

static uint64_t align8(uint64_t v)
{
    return (v + 7u) & ~(uint64_t)7u;
}

static uint32_t bucket_count(uint32_t max_entries)
{
    uint32_t n = 1;
    while (n < max_entries)
        n <<= 1;
    return n;
}

/* Bytes of each part; 0 total when the definition is invalid. */
static uint64_t layout(uint32_t type, uint32_t key_size, uint32_t value_size,
                       uint32_t max_entries, uint64_t *keys_at, uint64_t *next_at,
                       uint64_t *buckets_at)
{
    if (value_size == 0 || value_size > MBPF_IMAGE_MAX_VALUE_SIZE || max_entries == 0 ||
        max_entries > MAX_ENTRIES)
        return 0;
    if (type == MBPF_MAP_TYPE_ARRAY && key_size != 4u)
        return 0;
    if (type == MBPF_MAP_TYPE_HASH && (key_size == 0 || key_size > MBPF_IMAGE_MAX_KEY_SIZE))
        return 0;
    if (type != MBPF_MAP_TYPE_ARRAY && type != MBPF_MAP_TYPE_HASH)
        return 0;
    uint64_t values = align8((uint64_t)value_size * max_entries);
    if (values > UINT32_MAX)
        return 0; /* a region length is 32 bits */
    uint64_t total = values;
    *keys_at = *next_at = *buckets_at = total;
    if (type == MBPF_MAP_TYPE_HASH) {
        *keys_at = total;
        total += align8((uint64_t)key_size * max_entries);
        *next_at = total;
        total += align8((uint64_t)max_entries * 4u);
        *buckets_at = total;
        total += align8((uint64_t)bucket_count(max_entries) * 4u);
    }
    return total;
}

size_t mbpf_map_mem_size(uint32_t type, uint32_t key_size, uint32_t value_size,
                         uint32_t max_entries)
{
    uint64_t k, n, b;
    uint64_t total = layout(type, key_size, value_size, max_entries, &k, &n, &b);
    if (total == 0 || total + 8u > (uint64_t)SIZE_MAX || total + 8u > UINT32_MAX)
        return 0;
    return (size_t)(total + 8u); /* + room to align mem */
}

int mbpf_map_init(mbpf_map *map, uint32_t type, uint32_t key_size, uint32_t value_size,
                  uint32_t max_entries, void *mem, size_t mem_len)
{
    uint64_t keys_at, next_at, buckets_at;
    if (!map || !mem)
        return MBPF_E_ARG;
    uint64_t total = layout(type, key_size, value_size, max_entries, &keys_at, &next_at,
                            &buckets_at);
    if (total == 0)
        return MBPF_E_ARG;
    uintptr_t base = ((uintptr_t)mem + 7u) & ~(uintptr_t)7u;
    uint64_t skip = base - (uintptr_t)mem;
    if ((uint64_t)mem_len < total + skip)
        return MBPF_E_NOSPACE;
    uint8_t *p = (uint8_t *)mem + skip;
    memset(map, 0, sizeof(*map));
    map->type = type;
    map->key_size = key_size;
    map->value_size = value_size;
    map->max_entries = max_entries;
    map->values = p;
    if (type == MBPF_MAP_TYPE_HASH) {
        map->keys = p + keys_at;
        map->next = (uint32_t *)(void *)(p + next_at);
        map->buckets = (uint32_t *)(void *)(p + buckets_at);
        map->num_buckets = bucket_count(max_entries);
    }
    mbpf_map_clear(map);
    return MBPF_OK;
}

void mbpf_map_clear(mbpf_map *map)
{
    memset(map->values, 0, (size_t)map->value_size * map->max_entries);
    if (map->type != MBPF_MAP_TYPE_HASH)
        return;
    map->count = 0;
    for (uint32_t i = 0; i < map->num_buckets; i++)
        map->buckets[i] = NIL;
    for (uint32_t i = 0; i < map->max_entries; i++)
        map->next[i] = i + 1u < map->max_entries ? i + 1u : NIL;
    map->free_head = 0;
}

uint8_t *mbpf_map_values(const mbpf_map *map)
{
    return map->values;
}

uint32_t mbpf_map_values_len(const mbpf_map *map)
{
    return map->value_size * map->max_entries; /* fits: checked by layout() */
}

/* Copy that tolerates overlap: a program may pass a pointer into the map's
 * own value block as the new value. */
static void move_bytes(uint8_t *dst, const uint8_t *src, uint32_t n)
{
    if (dst == src || n == 0)
        return;
    if ((uintptr_t)dst < (uintptr_t)src || (uintptr_t)dst >= (uintptr_t)src + n) {
        for (uint32_t i = 0; i < n; i++)
            dst[i] = src[i];
    } else {
        for (uint32_t i = n; i > 0; i--)
            dst[i - 1u] = src[i - 1u];
    }
}

/* FNV-1a: one multiply per byte, good enough spread for short keys. */
static uint32_t hash_key(const uint8_t *key, uint32_t n)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ key[i]) * 16777619u;
    return h;
}

static uint32_t array_index(const void *key)
{
    uint32_t idx;
    memcpy(&idx, key, 4);
    return idx;
}

/* Entry holding key in a HASH map, or NIL; *prev_link gets the link to it. */
static uint32_t hash_find(const mbpf_map *map, const void *key, uint32_t **prev_link)
{
    uint32_t *link = &map->buckets[hash_key(key, map->key_size) & (map->num_buckets - 1u)];
    while (*link != NIL) {
        uint32_t e = *link;
        if (memcmp(map->keys + (size_t)e * map->key_size, key, map->key_size) == 0) {
            if (prev_link)
                *prev_link = link;
            return e;
        }
        link = &map->next[e];
    }
    if (prev_link)
        *prev_link = link;
    return NIL;
}

void *mbpf_map_lookup(mbpf_map *map, const void *key)
{
    uint32_t e;
    if (map->type == MBPF_MAP_TYPE_ARRAY) {
        e = array_index(key);
        if (e >= map->max_entries)
            return NULL;
    } else {
        e = hash_find(map, key, NULL);
        if (e == NIL)
            return NULL;
    }
    return map->values + (size_t)e * map->value_size;
}

int mbpf_map_update(mbpf_map *map, const void *key, const void *value, uint64_t flags)
{
    if (flags > MBPF_EXIST)
        return MBPF_MAP_EINVAL;
    uint32_t e;
    if (map->type == MBPF_MAP_TYPE_ARRAY) {
        e = array_index(key);
        if (e >= map->max_entries)
            return MBPF_MAP_E2BIG;
        if (flags == MBPF_NOEXIST)
            return MBPF_MAP_EEXIST; /* every array element always exists */
    } else {
        uint32_t *tail;
        e = hash_find(map, key, &tail);
        if (e != NIL && flags == MBPF_NOEXIST)
            return MBPF_MAP_EEXIST;
        if (e == NIL) {
            if (flags == MBPF_EXIST)
                return MBPF_MAP_ENOENT;
            if (map->free_head == NIL)
                return MBPF_MAP_E2BIG;
            e = map->free_head;
            map->free_head = map->next[e];
            /* The key is copied before the value: key and value pointers may
             * both point into this map's value block. */
            memcpy(map->keys + (size_t)e * map->key_size, key, map->key_size);
            map->next[e] = NIL;
            *tail = e;
            map->count++;
        }
    }
    move_bytes(map->values + (size_t)e * map->value_size, value, map->value_size);
    return 0;
}

int mbpf_map_delete(mbpf_map *map, const void *key)
{
    if (map->type == MBPF_MAP_TYPE_ARRAY)
        return MBPF_MAP_EINVAL;
    uint32_t *link;
    uint32_t e = hash_find(map, key, &link);
    if (e == NIL)
        return MBPF_MAP_ENOENT;
    *link = map->next[e];
    map->next[e] = map->free_head;
    map->free_head = e;
    map->count--;
    return 0;
}
