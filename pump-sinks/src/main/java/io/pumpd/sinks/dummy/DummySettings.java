package io.pumpd.sinks.dummy;

/** The {@code dummy} pump has no settings; unknown meta keys are warned about by the loader. */
public final class DummySettings {}
