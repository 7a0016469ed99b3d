package io.fileflux.kafka;

/**
 * What the shipper does with a record Kafka rejects for good (too large for the broker or topic, not
 * authorized for its topic, invalid): see {@link ShipperOptions#onRejected(RejectionPolicy)}.
 */
public enum RejectionPolicy {
    /**
     * End the shipping with a {@link RecordRejectedException}; the line is not acknowledged, so the
     * checkpoint stays before it and a restart tries it again.
     */
    FAIL,
    /**
     * Report the line as a {@link ShipEvent.Kind#REJECTED} event (and in {@link ShipperStats#rejected()}),
     * acknowledge it so the checkpoint moves past it, and go on.
     */
    SKIP
}
