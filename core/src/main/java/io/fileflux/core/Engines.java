package io.fileflux.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and selects engines. The automatic choice is the available engine with the highest priority
 * (io_uring on Linux where the kernel allows it, IOCP on Windows, otherwise nio); the system property
 * {@value #ENGINE_PROPERTY} forces one by name. A fallback is logged once, with the reason.
 *
 * <p>Threading: thread-safe. Shared engines are created lazily, once per name, and live as long as
 * the JVM (daemon threads); their {@link FileEngine#close()} is refused.
 */
public final class Engines {

    /** System property naming the engine to use: {@code nio}, {@code io_uring} or {@code iocp}. */
    public static final String ENGINE_PROPERTY = "fileflux.engine";

    private static final Logger LOG = LoggerFactory.getLogger(Engines.class);
    private static final Map<String, FileEngine> SHARED = new ConcurrentHashMap<>();
    private static final AtomicBoolean FALLBACK_LOGGED = new AtomicBoolean();
    private static volatile List<EngineProvider> providers;
    private static volatile Map<String, EngineStatus> probes;

    private Engines() {
    }

    /**
     * The outcome of engine selection. Immutable.
     *
     * @param name   the engine chosen
     * @param reason why: forced by the property, or which engines were passed over and why
     */
    public record Selection(String name, String reason) {
    }

    /** The names of every engine known to this build, most preferred first. */
    public static List<String> names() {
        return providers().stream().map(EngineProvider::name).collect(Collectors.toList());
    }

    /** Probes every known engine (once per JVM; later calls return the same answers). */
    public static List<EngineStatus> probeAll() {
        Map<String, EngineStatus> p = probes;
        if (p == null) {
            synchronized (Engines.class) {
                p = probes;
                if (p == null) {
                    Map<String, EngineStatus> m = new java.util.LinkedHashMap<>();
                    for (EngineProvider provider : providers()) {
                        m.put(provider.name(), safeProbe(provider));
                    }
                    probes = p = m;
                }
            }
        }
        return new ArrayList<>(p.values());
    }

    /** The engine the shared default would be, and why. */
    public static Selection select() {
        String forced = System.getProperty(ENGINE_PROPERTY);
        if (forced != null && !forced.isBlank()) {
            String name = forced.trim();
            requireAvailable(name);
            return new Selection(name, "forced by -D" + ENGINE_PROPERTY + "=" + name);
        }
        StringBuilder passed = new StringBuilder();
        for (EngineStatus s : probeAll()) {
            if (s.available()) {
                String reason = passed.length() == 0
                        ? "highest-priority engine available here"
                        : "fallback: " + passed;
                return new Selection(s.name(), reason);
            }
            if (passed.length() > 0) {
                passed.append("; ");
            }
            passed.append(s.name()).append(" unavailable (").append(s.detail()).append(')');
        }
        throw new IllegalStateException("no Fileflux engine is available here: " + passed);
    }

    /** The shared engine chosen by {@link #select()}. */
    public static FileEngine shared() {
        Selection selection = select();
        if (selection.reason().startsWith("fallback") && FALLBACK_LOGGED.compareAndSet(false, true)) {
            LOG.info("Fileflux uses the {} engine ({})", selection.name(), selection.reason());
        }
        return shared(selection.name());
    }

    /**
     * The shared engine of that name.
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException    if the engine is not available on this machine
     */
    public static FileEngine shared(String name) {
        Objects.requireNonNull(name, "engine name");
        FileEngine engine = SHARED.get(name);
        if (engine != null) {
            return engine;
        }
        EngineProvider provider = requireAvailable(name);
        return SHARED.computeIfAbsent(name, n -> provider.create());
    }

    /**
     * Refuses to close a shared engine: every engine's {@link FileEngine#close()} calls this first.
     * Costs one map lookup; engines call it only from {@code close()}.
     *
     * @throws IllegalStateException if {@code engine} is the shared engine of its name
     */
    public static void checkCloseable(FileEngine engine) {
        if (SHARED.get(engine.name()) == engine) {
            throw new IllegalStateException("the shared " + engine.name() + " engine lives as long as the JVM"
                    + " and cannot be closed; create your own with Engines.create(\"" + engine.name()
                    + "\") to close it");
        }
    }

    /**
     * A new engine of that name, owned by the caller (close it when done).
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException    if the engine is not available on this machine
     */
    public static FileEngine create(String name) {
        Objects.requireNonNull(name, "engine name");
        return requireAvailable(name).create();
    }

    private static EngineProvider requireAvailable(String name) {
        EngineProvider provider = providers().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown engine '" + name + "' (known: " + String.join(", ", names()) + ")"));
        EngineStatus status = probeAll().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow();
        if (!status.available()) {
            throw new IllegalStateException("engine '" + name + "' is not available here: " + status.detail());
        }
        return provider;
    }

    private static EngineStatus safeProbe(EngineProvider provider) {
        try {
            return provider.probe();
        } catch (Throwable t) {
            return EngineStatus.unavailable(provider.name(), t.toString());
        }
    }

    private static List<EngineProvider> providers() {
        List<EngineProvider> p = providers;
        if (p == null) {
            List<EngineProvider> found = new ArrayList<>();
            ServiceLoader.load(EngineProvider.class, Engines.class.getClassLoader()).forEach(found::add);
            found.sort(Comparator.comparingInt(EngineProvider::priority).reversed());
            providers = p = List.copyOf(found);
        }
        return p;
    }
}
