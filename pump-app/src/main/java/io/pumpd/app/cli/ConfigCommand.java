package io.pumpd.app.cli;

import picocli.CommandLine.Command;

/** {@code pump config ...}: configuration tools. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Configuration tools.",
    subcommands = {ConfigCheckCommand.class})
public final class ConfigCommand {}
