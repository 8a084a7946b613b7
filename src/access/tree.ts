// Organisations as a tree, for the administrator's list and for checking a new parent.

export interface TreeNode<T> {
  item: T
  children: TreeNode<T>[]
}

interface Parented {
  id: string
  parentId: string | null
  name: string
}

/** Roots are organisations without a parent (or whose parent is missing), each level by name. */
export function buildTree<T extends Parented>(items: T[]): TreeNode<T>[] {
  const nodes = new Map(items.map((item) => [item.id, { item, children: [] as TreeNode<T>[] }]))
  const roots: TreeNode<T>[] = []
  for (const node of nodes.values()) {
    const parent = node.item.parentId ? nodes.get(node.item.parentId) : undefined
    if (parent) parent.children.push(node)
    else roots.push(node)
  }
  const sort = (list: TreeNode<T>[]) => {
    list.sort((a, b) => a.item.name.localeCompare(b.item.name))
    for (const node of list) sort(node.children)
  }
  sort(roots)
  return roots
}

/** True when making `parentId` the parent of `id` would put `id` inside itself. */
export function wouldCycle(items: Parented[], id: string, parentId: string | null): boolean {
  const parents = new Map(items.map((item) => [item.id, item.parentId]))
  let current = parentId
  const seen = new Set<string>()
  while (current) {
    if (current === id) return true
    if (seen.has(current)) return true
    seen.add(current)
    current = parents.get(current) ?? null
  }
  return false
}
