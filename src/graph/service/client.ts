/** A typed client of the graph service: one method per query, over `bus.request`. */
import { outageBoundMs, requestThroughOutage, type Bus } from '../../bus/mod.ts';
import type { BuildOrder } from '../queries/build-order.ts';
import type { RankedContext } from '../queries/context.ts';
import type { TreeNode } from '../queries/file-tree.ts';
import type { GraphSummary } from '../summary.ts';
import type { SymbolInfo } from '../symbols.ts';
import type { ResolvedImport } from '../types.ts';
import { joinSnapshot, type RepoSnapshot, type SnapshotPiece } from './snapshot.ts';
import { type GraphQuery, type GraphQueryBody, graphSubject, requestType } from './protocol.ts';

/** The graph service answers for another version of the repository than the caller works on. */
export class GraphVersionError extends Error {
  override name = 'GraphVersionError';
}

export class GraphClient {
  constructor(
    private readonly bus: Bus,
    readonly repo: string,
    private readonly timeoutMs = 30_000,
    /** A service absent (restarting) is waited for this long before a request fails. */
    private readonly outageMs = outageBoundMs(),
  ) {}

  dependencies(file: string, transitive = false): Promise<{ file: string; files: string[]; external: string[] }> {
    return this.ask('deps', { file, transitive });
  }

  dependents(file: string, transitive = false): Promise<{ file: string; files: string[] }> {
    return this.ask('dependents', { file, transitive });
  }

  imports(file: string): Promise<{ file: string; imports: ResolvedImport[] }> {
    return this.ask('imports', { file });
  }

  buildOrder(): Promise<BuildOrder> {
    return this.ask('build-order', {});
  }

  pageRank(seeds?: string[], top?: number): Promise<{ ranks: Array<[string, number]> }> {
    return this.ask('pagerank', { ...(seeds ? { seeds } : {}), ...(top ? { top } : {}) });
  }

  context(file: string, tokenBudget: number): Promise<RankedContext> {
    return this.ask('context', { file, tokenBudget });
  }

  symbols(file: string): Promise<{ file: string; symbols: SymbolInfo[] }> {
    return this.ask('symbols', { file });
  }

  fileTree(): Promise<TreeNode> {
    return this.ask('file-tree', {});
  }

  summary(): Promise<Omit<GraphSummary, 'stats'>> {
    return this.ask('summary', {});
  }

  /** The index and the digest of the served version, to rebuild the graph from (graphFromSnapshot). */
  async snapshot(): Promise<RepoSnapshot> {
    const pieces: SnapshotPiece[] = [];
    let offset = 0;
    for (;;) {
      const piece = await this.ask<'snapshot', SnapshotPiece>('snapshot', { offset });
      pieces.push(piece);
      offset += piece.bytes.length;
      if (offset >= piece.total) return joinSnapshot(pieces);
      if (piece.bytes.length === 0) throw new Error(`graph service ${this.repo} sent an empty snapshot piece at ${offset}`);
    }
  }

  /**
   * The texts of kept files, in order (as many requests as the reply size limit takes). With
   * `digest`, the texts must be of that version: a service restarted on other files meanwhile is
   * a GraphVersionError, never a mix of versions.
   */
  async sources(files: readonly string[], digest?: string): Promise<string[]> {
    const out: string[] = [];
    let seen = digest;
    while (out.length < files.length) {
      const rest = files.slice(out.length, out.length + 4096);
      const reply = await this.ask<'source', { texts: string[]; digest: string }>('source', { files: rest });
      if (seen !== undefined && reply.digest !== seen) {
        throw new GraphVersionError(`graph service ${this.repo} serves version ${reply.digest.slice(0, 12)}, not ${seen.slice(0, 12)}`);
      }
      seen = reply.digest;
      if (reply.texts.length === 0) throw new Error(`graph service ${this.repo} sent no text for ${rest[0]}`);
      out.push(...reply.texts);
    }
    return out;
  }

  private async ask<Q extends GraphQuery, R>(q: Q, body: GraphQueryBody<Q>): Promise<R> {
    const reply = await requestThroughOutage<R>(this.bus, graphSubject(this.repo, q), { type: requestType(q), body }, { timeoutMs: this.timeoutMs }, this.outageMs);
    return reply.body;
  }
}
