package io.fileflux.samples.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code fileflux} command line: one subcommand per job. Started by the {@code ./fileflux}
 * launcher at the repository root.
 *
 * <p>Start-up: picocli builds a command's model by reflection over its annotated fields, which costs
 * tens of milliseconds per command. So only the subcommand named by the first argument is built
 * ({@code fileflux cat ...} never loads {@code serve}'s classes, nor Spring); every subcommand is
 * built only when no known subcommand is named (the usage, {@code --help}, a mistyped name).
 */
@Command(name = "fileflux", mixinStandardHelpOptions = true, version = FilefluxCli.VERSION,
        description = "Asynchronous file I/O on io_uring, IOCP and java.nio, as Reactor streams.")
public final class FilefluxCli implements Callable<Integer> {

    /** What {@code --version} prints. */
    static final String VERSION = "fileflux 0.1.0";

    /** The subcommands' names, in the order the usage lists them. */
    private static final String JNA_PLATFORM_PATH = "jna.platform.library.path";

    static final List<String> SUBCOMMANDS = List.of("cat", "cp", "info", "serve", "ship", "tail");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (System.getProperty(JNA_PLATFORM_PATH) == null) {
            // else JNA's first use runs `ldconfig -p` in a subprocess to make its library search path; the
            // command line loads only the C library, by its soname, which needs no search path
            System.setProperty(JNA_PLATFORM_PATH, "");
        }
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
        CommandLine cli = commandLine(args.length > 0 ? args[0] : null);
        cli.setExpandAtFiles(false); // "@notes" is a file name here, not an argument file
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("fileflux: " + UserErrors.describe(e));
            return 1;
        });
        int status;
        try {
            status = cli.execute(args);
        } finally {
            closeEngines(cli);
        }
        if ((cli.getOut().checkError() || System.out.checkError()) && status == 0) { // help, version, info into a full disk or closed pipe
            System.err.println("fileflux: write error: standard output");
            return 1;
        }
        return status;
    }

    /** Closes the engine the command that ran owns (see {@link EngineOption}), once it has returned. */
    private static void closeEngines(CommandLine cli) {
        CommandLine.ParseResult parsed = cli.getParseResult();
        if (parsed == null || parsed.subcommand() == null) {
            return;
        }
        for (CommandLine.Model.CommandSpec mixin : parsed.subcommand().commandSpec().mixins().values()) {
            if (mixin.userObject() instanceof EngineOption engine) {
                engine.close();
            }
        }
    }

    /**
     * The command line with the subcommand {@code first} names, or with all of them when {@code first}
     * names none.
     */
    static CommandLine commandLine(String first) {
        CommandLine cli = new CommandLine(new FilefluxCli());
        List<String> names = SUBCOMMANDS.contains(first) ? List.of(first) : SUBCOMMANDS;
        for (String name : names) {
            CommandLine sub = new CommandLine(subcommand(name));
            sub.getCommandSpec().version(VERSION); // -V on a subcommand prints it too
            cli.addSubcommand(name, sub);
        }
        return cli;
    }

    /** A new instance of the subcommand of that name; only its own classes are loaded. */
    private static Object subcommand(String name) {
        switch (name) {
            case "cat":
                return new CatCommand();
            case "cp":
                return new CpCommand();
            case "info":
                return new InfoCommand();
            case "serve":
                return new ServeCommand();
            case "ship":
                return new ShipCommand();
            case "tail":
                return new TailCommand();
            default:
                throw new IllegalArgumentException("unknown subcommand " + name);
        }
    }

    /** No subcommand: the usage on standard error, and exit status 2 (a usage error). */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
