package io.fileflux.spring.boot;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code fileflux.*} configuration properties of the Spring Boot starter. A mutable bean bound by Spring
 * Boot at start-up; read-only afterwards.
 */
@ConfigurationProperties(prefix = "fileflux")
public class FilefluxProperties {

    /** Whether Fileflux serves the application's static resources and Resource responses. */
    private boolean enabled = true;

    /** The engine: io_uring, iocp or nio; empty for the best available on this machine. */
    private String engine;

    /** Bytes per read and per response buffer of streamed bodies. */
    private DataSize chunkSize = DataSize.ofKilobytes(256);

    /** Reads in flight per streamed response. */
    private int inFlight = 4;

    /**
     * How file bodies are sent: auto (zero-copy for a whole file or one range over plain HTTP/1.1, Fileflux
     * under TLS, HTTP/2, compression and for several ranges), stream (always Fileflux) or zero-copy (whenever
     * the server supports it).
     */
    private String transfer = "auto";

    /** A directory to serve with Fileflux's own handler (ranges, preconditions, traversal-safe); none if unset. */
    private Path directory;

    /** The path the directory is served at: empty for the root, else like /files. */
    private String path = "";

    /** Whether directories under fileflux.directory are answered with an HTML listing (else 404). */
    private boolean listing;

    /** Whether Fileflux serves the application's static resources and Resource responses. */
    public boolean isEnabled() {
        return enabled;
    }

    /** Sets {@link #isEnabled()}. */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** The engine's name, or null for the best available. */
    public String getEngine() {
        return engine;
    }

    /** Sets {@link #getEngine()}. */
    public void setEngine(String engine) {
        this.engine = engine;
    }

    /** Bytes per read of streamed bodies. */
    public DataSize getChunkSize() {
        return chunkSize;
    }

    /** Sets {@link #getChunkSize()}. */
    public void setChunkSize(DataSize chunkSize) {
        this.chunkSize = chunkSize;
    }

    /** Reads in flight per streamed response. */
    public int getInFlight() {
        return inFlight;
    }

    /** Sets {@link #getInFlight()}. */
    public void setInFlight(int inFlight) {
        this.inFlight = inFlight;
    }

    /** The transfer strategy's name: auto, stream or zero-copy. */
    public String getTransfer() {
        return transfer;
    }

    /** Sets {@link #getTransfer()}. */
    public void setTransfer(String transfer) {
        this.transfer = transfer;
    }

    /** The directory served by Fileflux's own handler, or null for none. */
    public Path getDirectory() {
        return directory;
    }

    /** Sets {@link #getDirectory()}. */
    public void setDirectory(Path directory) {
        this.directory = directory;
    }

    /** The path {@link #getDirectory()} is served at. */
    public String getPath() {
        return path;
    }

    /** Sets {@link #getPath()}. */
    public void setPath(String path) {
        this.path = path;
    }

    /** Whether directories are listed. */
    public boolean isListing() {
        return listing;
    }

    /** Sets {@link #isListing()}. */
    public void setListing(boolean listing) {
        this.listing = listing;
    }
}
