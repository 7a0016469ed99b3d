package io.fileflux.samples.cli;

import io.fileflux.core.EngineStatus;
import io.fileflux.core.Engines;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code fileflux info}: the engines on this machine, which one is chosen, and why. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the engines available here, which one is chosen and why.")
final class InfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.printf("OS:      %s %s (%s)%n", System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("os.arch"));
        out.printf("Java:    %s (%s)%n", System.getProperty("java.version"), System.getProperty("java.vm.name"));
        out.println("Engines:");
        for (EngineStatus s : Engines.probeAll()) {
            out.printf("  %-9s %-13s %s%n", s.name(), s.available() ? "available" : "unavailable", s.detail());
        }
        try {
            Engines.Selection selection = Engines.select();
            out.printf("Chosen:  %s (%s)%n", selection.name(), selection.reason());
            if (selection.name().equals("io_uring")) {
                // the selection is not per workload: say where the other engine is known to be faster
                out.println("Why:     io_uring cancels reads in the kernel, blocks no thread per read and reads O_DIRECT at");
                out.println("         fio's rate; on a machine with few cores the nio engine can read warm files faster");
                out.println("         (cat, cp, tail --engine nio; ReadOptions.engine(\"nio\"); -Dfileflux.engine=nio; docs/benchmarks.md)");
            }
        } catch (RuntimeException e) {
            out.printf("Chosen:  none (%s)%n", e.getMessage());
            out.flush();
            return 1;
        }
        out.flush();
        return 0;
    }
}
