@testable import ForecastServer
import Testing

@Suite("the training queue")
struct TrainingQueueTests {
    @Test("with one slot and one place, a third request is refused at once and the waiter gets the slot on release")
    func boundedQueue() async {
        let queue = TrainingQueue(running: 1, waiting: 1)
        #expect(await queue.acquire())
        let waiter = Task { await queue.acquire() }
        // Wait (without a clock) until the waiter is queued.
        while queue.load.waiting == 0 { await Task.yield() }
        #expect(await queue.acquire() == false)
        queue.release()
        #expect(await waiter.value)
        #expect(queue.load.running == 1 && queue.load.waiting == 0)
        queue.release()
        #expect(queue.load.running == 0)
    }

    @Test("a slot held by a training that outlives its request is given back only when both are done")
    func slotHolders() async {
        let queue = TrainingQueue(running: 1, waiting: 0)
        #expect(await queue.acquire())
        let slot = TrainingQueue.Slot(queue)
        slot.hold()
        slot.done()
        #expect(await queue.acquire() == false)
        slot.done()
        #expect(queue.load.running == 0)
        #expect(await queue.acquire())
    }
}
