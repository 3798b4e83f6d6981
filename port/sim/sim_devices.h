/* Simulated sensors and GPIO with deterministic values, shared by the host
 * tools and the reference firmware so that a program gives the same result on
 * both. Freestanding. */
#ifndef MBPF_SIM_DEVICES_H
#define MBPF_SIM_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

#include "mbpf/iot.h"

#define SIM_SAUL_DEVICES 4u /* 1 temperature, 2 humidity, 3 button, 4 switch */
#define SIM_GPIO_PORTS 8u

typedef struct sim_devices {
    uint32_t reads[SIM_SAUL_DEVICES];
    mbpf_phydat switch_state;
    uint32_t gpio_written[SIM_GPIO_PORTS]; /* bit per pin: has been written */
    uint32_t gpio_level[SIM_GPIO_PORTS];
} sim_devices;

void sim_devices_init(sim_devices *sd);
/* The simulated temperature of the k-th read, in centi-degrees C. */
int16_t sim_temp_reading(uint32_t k);

/* mbpf_platform callbacks; ctx must point at a sim_devices. */
uint32_t sim_saul_find_nth(void *ctx, uint32_t pos);
uint32_t sim_saul_find_type(void *ctx, uint32_t type);
int sim_saul_read(void *ctx, uint32_t dev, mbpf_phydat *out);
int sim_saul_write(void *ctx, uint32_t dev, const mbpf_phydat *in);
int sim_gpio_read(void *ctx, uint32_t port, uint32_t pin, bool raw);
int sim_gpio_write(void *ctx, uint32_t port, uint32_t pin, uint32_t value);

#endif
