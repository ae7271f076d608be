package dev.fanout;

/**
 * A push handler that counts what it receives, for one drain task at a time (the subscription
 * runs one); read after the actors finish.
 */
final class Received implements DeliveryHandler<Integer> {
    int count;
    long last;

    @Override
    public void onDelivery(long sequence, Integer message) {
        count++;
        last = sequence;
    }
}
