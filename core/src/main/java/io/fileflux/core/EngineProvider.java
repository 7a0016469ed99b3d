package io.fileflux.core;

/**
 * Plugs an engine into {@link Engines}: found through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.fileflux.core.EngineProvider}).
 *
 * <p>Threading: {@link #probe()} and {@link #create()} may be called from any thread.
 */
public interface EngineProvider {

    /** The engine name users pass to {@code fileflux.engine} or an option. */
    String name();

    /**
     * Preference among available engines on this machine: the highest available one is chosen
     * automatically. The portable engine answers 0.
     */
    int priority();

    /** Checks, without side effects that outlive the call, whether the engine works here. */
    EngineStatus probe();

    /** Creates a new engine instance, owned by the caller. */
    FileEngine create();
}
