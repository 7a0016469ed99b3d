package io.fileflux.samples.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code fileflux} command line: one subcommand per job. Started by the {@code ./fileflux}
 * launcher at the repository root.
 */
@Command(name = "fileflux", mixinStandardHelpOptions = true, version = FilefluxCli.VERSION,
        description = "Asynchronous file I/O on io_uring, IOCP and java.nio, as Reactor streams.",
        subcommands = {CatCommand.class, CpCommand.class, InfoCommand.class, ServeCommand.class, ShipCommand.class, TailCommand.class})
public final class FilefluxCli implements Callable<Integer> {

    /** What {@code --version} prints. */
    static final String VERSION = "fileflux 0.1.0";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int status;
        try {
            status = run(args);
        } catch (OutOfMemoryError e) {
            System.err.println("fileflux: out of memory (" + e.getMessage() + "): lower --chunk-size or --in-flight,"
                    + " or give the JVM more with FILEFLUX_JAVA_OPTS=-Xmx... / -XX:MaxDirectMemorySize=...");
            status = 1;
        }
        System.exit(status);
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new FilefluxCli());
        cli.setExpandAtFiles(false); // "@notes" is a file name here, not an argument file
        for (CommandLine sub : cli.getSubcommands().values()) {
            sub.getCommandSpec().version(VERSION); // -V on a subcommand prints it too
        }
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("fileflux: " + UserErrors.describe(e));
            return 1;
        });
        int status = cli.execute(args);
        if ((cli.getOut().checkError() || System.out.checkError()) && status == 0) { // help, version, info into a full disk or closed pipe
            System.err.println("fileflux: write error: standard output");
            return 1;
        }
        return status;
    }

    /** No subcommand: the usage on standard error, and exit status 2 (a usage error). */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
