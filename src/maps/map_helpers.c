/* The map helpers: bpf_map_lookup_elem, bpf_map_update_elem and
 * bpf_map_delete_elem under the ids MBPF_HELPER_MAP_*.
 *
 * Before any of them runs the VM has checked, per the prototypes below, that
 * the first argument is a handle of one of the calling program's maps
 * (vm->map_check) and that the key and value pointers cover key_size /
 * value_size readable bytes, so the helpers can trust them.
 */
#include "mbpf/helper_ids.h"
#include "mbpf/maps.h"

static mbpf_map *as_map(uint64_t handle)
{
    return (mbpf_map *)(uintptr_t)handle;
}

static const void *as_ptr(uint64_t v)
{
    return (const void *)(uintptr_t)v;
}

static uint64_t map_lookup(uint64_t map, uint64_t key, uint64_t a3, uint64_t a4, uint64_t a5,
                           mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5, (void)env;
    return (uint64_t)(uintptr_t)mbpf_map_lookup(as_map(map), as_ptr(key));
}

static uint64_t map_update(uint64_t map, uint64_t key, uint64_t value, uint64_t flags,
                           uint64_t a5, mbpf_env *env)
{
    (void)a5, (void)env;
    return (uint64_t)(int64_t)mbpf_map_update(as_map(map), as_ptr(key), as_ptr(value), flags);
}

static uint64_t map_delete(uint64_t map, uint64_t key, uint64_t a3, uint64_t a4, uint64_t a5,
                           mbpf_env *env)
{
    (void)a3, (void)a4, (void)a5, (void)env;
    return (uint64_t)(int64_t)mbpf_map_delete(as_map(map), as_ptr(key));
}

#define ARG_MAP {MBPF_ARG_MAP, 0, 0}
#define ARG_KEY {MBPF_ARG_MAP_KEY, 1, 0}
#define ARG_VALUE {MBPF_ARG_MAP_VALUE, 1, 0}
#define ARG_ANY {MBPF_ARG_SCALAR, 0, 0}

static const mbpf_helper map_helpers[] = {
    {MBPF_HELPER_MAP_LOOKUP, map_lookup, "bpf_map_lookup_elem",
     {ARG_MAP, ARG_KEY, ARG_ANY, ARG_ANY, ARG_ANY}},
    {MBPF_HELPER_MAP_UPDATE, map_update, "bpf_map_update_elem",
     {ARG_MAP, ARG_KEY, ARG_VALUE, ARG_ANY, ARG_ANY}},
    {MBPF_HELPER_MAP_DELETE, map_delete, "bpf_map_delete_elem",
     {ARG_MAP, ARG_KEY, ARG_ANY, ARG_ANY, ARG_ANY}},
};

int mbpf_maps_register_helpers(mbpf_helpers *set)
{
    for (size_t i = 0; i < sizeof(map_helpers) / sizeof(map_helpers[0]); i++) {
        int rc = mbpf_helpers_add(set, &map_helpers[i]);
        if (rc != MBPF_OK)
            return rc;
    }
    return MBPF_OK;
}
