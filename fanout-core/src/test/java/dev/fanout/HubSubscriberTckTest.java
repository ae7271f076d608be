package dev.fanout;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;
import org.testng.SkipException;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.Test;

/**
 * The Reactive Streams TCK (subscriber, black box) against {@link HubSubscriber}: each test gets
 * a fresh hub, closed after it. Every test this class skips says why below.
 */
public class HubSubscriberTckTest extends FlowSubscriberBlackboxVerification<Integer> {

    private final Queue<Hub<Integer>> hubs = new ConcurrentLinkedQueue<>();

    public HubSubscriberTckTest() {
        super(new TestEnvironment(1_000, 200));
    }

    @Override
    public Flow.Subscriber<Integer> createFlowSubscriber() {
        Hub<Integer> hub = Hub.<Integer>builder().name("tck").build();
        hubs.add(hub);
        return HubSubscriber.builder(hub).batchSize(4).build();
    }

    @Override
    public Integer createElement(int element) {
        return element;
    }

    @AfterMethod
    public void closeHubs() {
        for (Hub<Integer> h; (h = hubs.poll()) != null; ) {
            h.close();
        }
    }

    // ------------------------------------------------------------------ what the TCK cannot verify, and why

    /** The subscriber verification has no {@code notVerified(String)}: skips with the reason, as it does. */
    private static void notVerified(String why) {
        throw new SkipException("Not verified: " + why);
    }

    @Override
    @Test
    public void untested_spec202_blackbox_shouldAsynchronouslyDispatch() throws Exception {
        // HubSubscriber publishes synchronously on purpose: a publish that parks is the
        // backpressure it passes upstream (documented on the class)
        notVerified("untestable by the TCK; HubSubscriber dispatches synchronously by design");
    }

    @Override
    @Test
    public void untested_spec204_blackbox_mustConsiderTheSubscriptionAsCancelledInAfterRecievingOnCompleteOrOnError() throws Exception {
        // after a terminal signal it never calls its subscription again
        notVerified("untestable by the TCK: needs the subscriber's internals");
    }

    @Override
    @Test
    public void untested_spec206_blackbox_mustCallSubscriptionCancelIfItIsNoLongerValid() throws Exception {
        // it cancels the upstream when its hub is closed under it (HubSubscriberTest.hubClosedUnderIt_cancelsTheUpstream)
        notVerified("untestable by the TCK: 'no longer valid' is the subscriber's own notion");
    }

    @Override
    @Test
    public void untested_spec207_blackbox_mustEnsureAllCallsOnItsSubscriptionTakePlaceFromTheSameThreadOrTakeCareOfSynchronization() throws Exception {
        // request is called from onSubscribe and onNext only (serial by rule 1.3); cancel() hands
        // the subscription over through an AtomicReference
        notVerified("untestable by the TCK: a race the TCK cannot provoke");
    }

    @Override
    @Test
    public void untested_spec208_blackbox_mustBePreparedToReceiveOnNextSignalsAfterHavingCalledSubscriptionCancel() throws Throwable {
        // onNext after cancel() is ignored (HubSubscriberTest.cancel_cancelsTheUpstream_andIgnoresItemsInFlight)
        notVerified("untestable by the TCK in black-box mode");
    }

    @Override
    @Test
    public void untested_spec211_blackbox_mustMakeSureThatAllCallsOnItsMethodsHappenBeforeTheProcessingOfTheRespectiveEvents() throws Exception {
        // onNext publishes on the calling thread: the call happens-before the processing
        notVerified("untestable by the TCK: a memory-model rule");
    }

    @Override
    @Test
    public void untested_spec212_blackbox_mustNotCallOnSubscribeMoreThanOnceBasedOnObjectEquality() throws Throwable {
        // a rule for publishers calling a subscriber, not for the subscriber
        notVerified("untestable by the TCK: not the subscriber's to keep");
    }

    @Override
    @Test
    public void untested_spec213_blackbox_failingOnSignalInvocation() throws Exception {
        // onNext catches what publish throws, cancels the upstream and records it in completion()
        notVerified("untestable by the TCK: it cannot make a signal fail inside the subscriber");
    }

    @Override
    @Test
    public void untested_spec301_blackbox_mustNotBeCalledOutsideSubscriberContext() throws Exception {
        // the subscription is used from onSubscribe and onNext, and by cancel() through an atomic hand-over
        notVerified("untestable by the TCK: needs the subscriber's internals");
    }

    @Override
    @Test
    public void untested_spec308_blackbox_requestMustRegisterGivenNumberElementsToBeProduced() throws Throwable {
        // a rule about the publisher's subscription
        notVerified("untestable by the TCK for a subscriber: a publisher's rule");
    }

    @Override
    @Test
    public void untested_spec310_blackbox_requestMaySynchronouslyCallOnNextOnSubscriber() throws Exception {
        // allowed: onNext publishes and requests more, which may recurse into onNext (bounded by the batch)
        notVerified("untestable by the TCK for a subscriber: a publisher's rule");
    }

    @Override
    @Test
    public void untested_spec311_blackbox_requestMaySynchronouslyCallOnCompleteOrOnError() throws Exception {
        // allowed: onComplete and onError only complete a future and may close the hub
        notVerified("untestable by the TCK for a subscriber: a publisher's rule");
    }

    @Override
    @Test
    public void untested_spec314_blackbox_cancelMayCauseThePublisherToShutdownIfNoOtherSubscriptionExists() throws Exception {
        // a rule about the publisher
        notVerified("untestable by the TCK for a subscriber: a publisher's rule");
    }

    @Override
    @Test
    public void untested_spec315_blackbox_cancelMustNotThrowExceptionAndMustSignalOnError() throws Exception {
        // a rule about the publisher
        notVerified("untestable by the TCK for a subscriber: a publisher's rule");
    }

    @Override
    @Test
    public void untested_spec316_blackbox_requestMustNotThrowExceptionAndMustOnErrorTheSubscriber() throws Exception {
        // a rule about the publisher
        notVerified("untestable by the TCK for a subscriber: a publisher's rule");
    }
}
