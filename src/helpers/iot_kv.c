/* The key-value store behind store/fetch_local/global: a sorted array of
 * (key, value) pairs in caller storage, so lookups are a binary search and
 * nothing is allocated. */
#include "mbpf/iot.h"

void mbpf_kv_init(mbpf_kv *kv, mbpf_kv_entry *storage, uint16_t capacity)
{
    if (!kv)
        return;
    kv->entries = storage;
    kv->count = 0;
    kv->capacity = storage ? capacity : 0;
}

/* First index with key >= the given key. */
static uint16_t kv_lower(const mbpf_kv *kv, uint32_t key)
{
    uint16_t lo = 0, hi = kv->count;
    while (lo < hi) {
        uint16_t mid = (uint16_t)(lo + (hi - lo) / 2u);
        if (kv->entries[mid].key < key)
            lo = (uint16_t)(mid + 1u);
        else
            hi = mid;
    }
    return lo;
}

int mbpf_kv_store(mbpf_kv *kv, uint32_t key, uint32_t value)
{
    if (!kv)
        return MBPF_E_ARG;
    uint16_t i = kv_lower(kv, key);
    if (i < kv->count && kv->entries[i].key == key) {
        kv->entries[i].value = value;
        return MBPF_OK;
    }
    if (kv->count >= kv->capacity)
        return MBPF_E_NOSPACE;
    for (uint16_t j = kv->count; j > i; j--)
        kv->entries[j] = kv->entries[j - 1u];
    kv->entries[i].key = key;
    kv->entries[i].value = value;
    kv->count++;
    return MBPF_OK;
}

bool mbpf_kv_fetch(const mbpf_kv *kv, uint32_t key, uint32_t *value)
{
    *value = 0;
    if (!kv)
        return false;
    uint16_t i = kv_lower(kv, key);
    if (i < kv->count && kv->entries[i].key == key) {
        *value = kv->entries[i].value;
        return true;
    }
    return false;
}
