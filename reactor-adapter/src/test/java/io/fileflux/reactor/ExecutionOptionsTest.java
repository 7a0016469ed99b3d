package io.fileflux.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fileflux.core.Engines;
import io.fileflux.core.FileEngine;
import io.fileflux.reactor.tail.TailOptions;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

class ExecutionOptionsTest {

    @Test
    void defaultsNameNothingAndResolveToTheSharedEngineAndTheDeliveryPool() {
        ExecutionOptions d = ExecutionOptions.defaults();
        assertNull(d.engine());
        assertNull(d.deliverOn());
        assertSame(Engines.shared(), d.engineOrDefault());
        assertSame(Delivery.defaultScheduler(), d.deliverOnOrDefault());
    }

    @Test
    void oneValueConfiguresEveryKindOfOptionsAlike() {
        FileEngine nio = Engines.shared("nio");
        Scheduler single = Schedulers.single();
        ExecutionOptions e = ExecutionOptions.defaults().engine(nio).deliverOn(single);

        ReadOptions read = ReadOptions.defaults().chunkSize(4096).execution(e);
        WriteOptions write = WriteOptions.defaults().atomic(true).execution(e);
        TailOptions tail = TailOptions.defaults().execution(e);

        for (ExecutionOptions got : new ExecutionOptions[] {read.execution(), write.execution(), tail.execution()}) {
            assertEquals(e, got);
            assertSame(nio, got.engineOrDefault());
            assertSame(single, got.deliverOnOrDefault());
        }
        assertSame(nio, read.engine());
        assertSame(single, write.deliverOn());
        assertEquals(4096, read.chunkSize(), "the other options are kept");
        assertEquals(true, write.atomic());
    }

    @Test
    void theWithersOfEachOptionsChangeOnlyTheirPart() {
        FileEngine nio = Engines.shared("nio");
        Scheduler single = Schedulers.single();
        ReadOptions r = ReadOptions.defaults().engine(nio).deliverOn(single);
        assertEquals(ExecutionOptions.defaults().engine(nio).deliverOn(single), r.execution());
        assertSame(nio, r.deliverOn(Schedulers.immediate()).engine());
    }

    @Test
    void badInputFailsAtOnce() {
        assertThrows(IllegalArgumentException.class, () -> ExecutionOptions.defaults().engine("no-such-engine"));
        assertThrows(NullPointerException.class, () -> ReadOptions.defaults().execution(null));
        assertThrows(NullPointerException.class, () -> ExecutionOptions.defaults().deliverOn(null));
    }
}
