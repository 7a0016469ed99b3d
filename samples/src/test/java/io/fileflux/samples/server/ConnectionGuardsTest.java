package io.fileflux.samples.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

/**
 * {@link WritableDemand} and {@link RequestHeaderTimeout} on Netty's {@link EmbeddedChannel}: writability set by
 * what the test writes and flushes, time advanced by hand.
 */
class ConnectionGuardsTest {

    @Test
    void asksForMoreOnlyWhileTheChannelIsWritableAndAtMostTheWindowAhead() {
        EmbeddedChannel channel = new EmbeddedChannel(new WritableDemand.Listener());
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        AtomicLong requestedFromSource = new AtomicLong();
        List<Integer> received = new ArrayList<>();
        long[] maxAhead = {0};
        Set<WritableDemand.Gate<?>> gates = ConcurrentHashMap.newKeySet();
        Flux<Integer> source = Flux.range(0, 100).doOnRequest(n -> {
            requestedFromSource.addAndGet(n);
            maxAhead[0] = Math.max(maxAhead[0], requestedFromSource.get() - received.size());
        });
        new WritableDemand<>(source, channel, 4, gates).subscribe(new BaseSubscriber<Integer>() {
            @Override
            protected void hookOnSubscribe(Subscription s) {
                s.request(128); // as Reactor Netty's send loop does
            }

            @Override
            protected void hookOnNext(Integer i) {
                received.add(i);
                channel.write(Unpooled.wrappedBuffer(new byte[32])); // not flushed: the client does not read
            }
        });
        // the first item made the channel unwritable; the ones requested with it still arrive, then nothing
        assertEquals(4, received.size(), received.toString());
        assertEquals(4, requestedFromSource.get());
        assertTrue(gates.iterator().next().waitingForClient());

        channel.flush(); // the client read everything: writable again, the gate resumes
        channel.runPendingTasks();
        assertEquals(8, received.size(), received.toString());
        assertTrue(maxAhead[0] <= 4, "requested " + maxAhead[0] + " ahead of what arrived");

        while (received.size() < 100) {
            int before = received.size();
            channel.flush();
            channel.runPendingTasks();
            assertTrue(received.size() > before, "resumes after each flush");
        }
        assertTrue(gates.isEmpty(), "the gate leaves when its body completes");
        channel.finishAndReleaseAll();
    }

    @Test
    void aConnectionTricklingItsRequestHeadIsClosedAtTheTimeout() {
        EmbeddedChannel channel = new EmbeddedChannel(new RequestHeaderTimeout(Duration.ofSeconds(30)));
        for (int second = 0; second < 29; second++) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'G'})); // bytes, never a whole head
            channel.advanceTimeBy(1, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
        }
        assertTrue(channel.isOpen(), "open before the timeout");
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(channel.isOpen(), "closed at the timeout although bytes kept coming");
        channel.finishAndReleaseAll();
    }

    @Test
    void theTimeoutRestartsAfterTheLastPendingResponseOnly() {
        EmbeddedChannel channel = new EmbeddedChannel(new RequestHeaderTimeout(Duration.ofSeconds(30)));
        channel.advanceTimeBy(20, TimeUnit.SECONDS);
        channel.writeInbound(request());
        channel.writeInbound(request()); // pipelined
        channel.advanceTimeBy(60, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen(), "a long response is not cut");

        channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT); // the first response ends, the second is pending
        channel.advanceTimeBy(60, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen(), "the pipelined request's response is not cut");

        channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT); // nothing pending: the next head has 30 s
        channel.advanceTimeBy(29, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen());
        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertFalse(channel.isOpen(), "an idle keep-alive connection is closed");
        channel.finishAndReleaseAll();
    }

    private static DefaultHttpRequest request() {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    }
}
