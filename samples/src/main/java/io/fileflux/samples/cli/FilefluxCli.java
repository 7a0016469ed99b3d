package io.fileflux.samples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code fileflux} command line: one subcommand per job. Started by the {@code ./fileflux}
 * launcher at the repository root.
 */
@Command(name = "fileflux", mixinStandardHelpOptions = true, version = "fileflux 0.1.0",
        description = "Asynchronous file I/O on io_uring, IOCP and java.nio, as Reactor streams.",
        subcommands = {CatCommand.class, CpCommand.class, InfoCommand.class, ServeCommand.class, TailCommand.class})
public final class FilefluxCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new FilefluxCli());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("fileflux: " + UserErrors.describe(e));
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
