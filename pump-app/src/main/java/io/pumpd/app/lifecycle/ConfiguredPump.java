package io.pumpd.app.lifecycle;

import io.pumpd.core.config.PumpEntry;

/**
 * One pump instance as configured: its name (key under {@code pumps}), Tyk type, common options
 * and bound, validated {@code meta} settings.
 */
public record ConfiguredPump(String name, String type, PumpEntry entry, Object settings) {}
