/* See sim_devices.h. The temperature follows a warm-up curve and cools again,
 * crossing 30.00 C for a few reads, so threshold programs have work to do. */
#include "sim_devices.h"

static const int16_t temp_curve[16] = {2150, 2175, 2210, 2260, 2330, 2420, 2530, 2660,
                                       2810, 2960, 3090, 3180, 3220, 3200, 3120, 2990};

static const uint8_t saul_types[SIM_SAUL_DEVICES] = {MBPF_SAUL_SENSE_TEMP, MBPF_SAUL_SENSE_HUM,
                                                     MBPF_SAUL_SENSE_BTN, MBPF_SAUL_ACT_SWITCH};

void sim_devices_init(sim_devices *sd)
{
    *sd = (sim_devices){0};
}

int16_t sim_temp_reading(uint32_t k)
{
    return temp_curve[k % 16u];
}

uint32_t sim_saul_find_nth(void *ctx, uint32_t pos)
{
    (void)ctx;
    return pos < SIM_SAUL_DEVICES ? pos + 1u : 0u;
}

uint32_t sim_saul_find_type(void *ctx, uint32_t type)
{
    (void)ctx;
    for (uint32_t i = 0; i < SIM_SAUL_DEVICES; i++)
        if (saul_types[i] == type)
            return i + 1u;
    return 0;
}

int sim_saul_read(void *ctx, uint32_t dev, mbpf_phydat *out)
{
    sim_devices *sd = ctx;
    if (dev == 0 || dev > SIM_SAUL_DEVICES)
        return -1;
    uint32_t k = sd->reads[dev - 1]++;
    *out = (mbpf_phydat){0};
    switch (dev) {
    case 1:
        out->val[0] = sim_temp_reading(k);
        out->scale = -2;
        out->unit = MBPF_UNIT_TEMP_C;
        break;
    case 2:
        out->val[0] = (int16_t)(4500 + 100 * (int)(k % 8u));
        out->scale = -2;
        out->unit = MBPF_UNIT_PERCENT;
        break;
    case 3:
        out->val[0] = (int16_t)(k % 2u);
        out->unit = MBPF_UNIT_NONE;
        break;
    default:
        *out = sd->switch_state;
        break;
    }
    return 1;
}

int sim_saul_write(void *ctx, uint32_t dev, const mbpf_phydat *in)
{
    sim_devices *sd = ctx;
    if (dev != 4)
        return -1; /* only the switch is an actuator */
    sd->switch_state = *in;
    return 1;
}

int sim_gpio_read(void *ctx, uint32_t port, uint32_t pin, bool raw)
{
    sim_devices *sd = ctx;
    (void)raw;
    if (port >= SIM_GPIO_PORTS || pin >= 32)
        return -1;
    if (sd->gpio_written[port] >> pin & 1u)
        return (int)(sd->gpio_level[port] >> pin & 1u);
    return (int)((port + pin) & 1u);
}

int sim_gpio_write(void *ctx, uint32_t port, uint32_t pin, uint32_t value)
{
    sim_devices *sd = ctx;
    if (port >= SIM_GPIO_PORTS || pin >= 32)
        return -1;
    sd->gpio_written[port] |= 1u << pin;
    if (value)
        sd->gpio_level[port] |= 1u << pin;
    else
        sd->gpio_level[port] &= ~(1u << pin);
    return 0;
}
