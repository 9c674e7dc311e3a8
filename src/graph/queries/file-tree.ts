/** The repository's file tree, directories first, each level sorted by name. */
import type { LanguageId, SkipReason } from '../types.ts';

export interface TreeNode {
  name: string;
  path: string;
  type: 'dir' | 'file';
  language?: LanguageId | null;
  skipped?: SkipReason;
  children?: TreeNode[];
}

export function fileTree(files: ReadonlyArray<{ path: string; language: LanguageId | null; skipped?: SkipReason }>): TreeNode {
  const root: TreeNode = { name: '', path: '', type: 'dir', children: [] };
  const dirs = new Map<string, TreeNode>([['', root]]);
  const dirNode = (path: string): TreeNode => {
    let node = dirs.get(path);
    if (node) return node;
    const slash = path.lastIndexOf('/');
    const parent = dirNode(slash < 0 ? '' : path.slice(0, slash));
    node = { name: path.slice(slash + 1), path, type: 'dir', children: [] };
    parent.children!.push(node);
    dirs.set(path, node);
    return node;
  };
  for (const f of files) {
    const slash = f.path.lastIndexOf('/');
    const node: TreeNode = { name: f.path.slice(slash + 1), path: f.path, type: 'file', language: f.language };
    if (f.skipped) node.skipped = f.skipped;
    dirNode(slash < 0 ? '' : f.path.slice(0, slash)).children!.push(node);
  }
  const sortRec = (n: TreeNode) => {
    n.children?.sort((a, b) => (a.type !== b.type ? (a.type === 'dir' ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    n.children?.forEach(sortRec);
  };
  sortRec(root);
  return root;
}
