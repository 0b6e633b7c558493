/// A binary max-heap of (next use, key) pairs, ordered by next use.
struct MaxHeap {
    private var items: [(next: Int, key: Int)] = []

    func peek() -> (next: Int, key: Int)? { self.items.first }

    mutating func push(next: Int, key: Int) {
        self.items.append((next, key))
        var child = self.items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard self.items[parent].next < self.items[child].next else { break }
            self.items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() {
        guard !self.items.isEmpty else { return }
        self.items.swapAt(0, self.items.count - 1)
        self.items.removeLast()
        var parent = 0
        // Each step moves down one level: at most log2(count) steps.
        while parent * 2 + 1 < self.items.count {
            let left = parent * 2 + 1
            let right = left + 1
            var largest = parent
            if self.items[left].next > self.items[largest].next { largest = left }
            if right < self.items.count && self.items[right].next > self.items[largest].next { largest = right }
            if largest == parent { break }
            self.items.swapAt(parent, largest)
            parent = largest
        }
    }
}
