/* A histogram in maps: an ARRAY of 8 buckets (value / 8) and a HASH counting
 * each distinct value. Then every value below 8 is deleted from the HASH.
 * Returns distinct << 24 | deleted << 16 | fullest bucket << 8 | its count. */
#include <mbpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, uint32_t);
    __type(value, uint64_t);
    __uint(max_entries, 8);
} buckets SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, uint32_t);
    __type(value, uint32_t);
    __uint(max_entries, 64);
} seen SEC(".maps");

static const uint8_t samples[32] = {3,  17, 42, 8,  63, 17, 5,  29, 33, 42, 8,
                                    1,  50, 61, 17, 22, 3,  9,  40, 44, 47, 12,
                                    17, 58, 3,  27, 31, 36, 42, 0,  6,  17};

int histogram(void *ctx)
{
    uint32_t distinct = 0, deleted = 0, best = 0;
    uint64_t best_count = 0;
    (void)ctx;
    for (uint32_t i = 0; i < sizeof(samples); i++) {
        uint32_t v = samples[i], b = v / 8;
        uint64_t *count = bpf_map_lookup_elem(&buckets, &b);
        if (!count)
            return -1;
        __sync_fetch_and_add(count, 1);
        uint32_t *n = bpf_map_lookup_elem(&seen, &v);
        if (n) {
            (*n)++;
        } else {
            uint32_t one = 1;
            if (bpf_map_update_elem(&seen, &v, &one, BPF_NOEXIST) == 0)
                distinct++;
        }
    }
    for (uint32_t v = 0; v < 8; v++)
        if (bpf_map_delete_elem(&seen, &v) == 0)
            deleted++;
    for (uint32_t b = 0; b < 8; b++) {
        uint64_t *count = bpf_map_lookup_elem(&buckets, &b);
        if (count && *count > best_count) {
            best_count = *count;
            best = b;
        }
    }
    uint32_t k = 17, *n17 = bpf_map_lookup_elem(&seen, &k);
    bpf_printf("value 17 seen %u times, bucket %u has %llu\n", n17 ? *n17 : 0, best,
               best_count);
    return (int)(distinct << 24 | deleted << 16 | best << 8 | (uint32_t)best_count);
}
