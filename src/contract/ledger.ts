/**
 * The contract verdicts of a run. The HTTP client hands each whole body it received to the ledger
 * as the response arrives (the exchange record keeps only its first 16 KiB, redacted), which
 * judges it there and keeps the verdict, never the body; exchanges whose body was streamed or not
 * read are judged from their record when the verdicts are asked for.
 */
import type { Exchange, ExchangeLog } from '../http/exchange';
import { loadContractDocument } from './document';
import { judgeExchange, type ContractVerdict } from './judge';
import { compileContract, type CompiledContract } from './rules';

let compiled: Promise<CompiledContract> | undefined;

/** The contract compiled once per process: a run, or verify's many runs in one worker. */
export function loadCompiledContract(): Promise<CompiledContract> {
  compiled ??= loadContractDocument().then(compileContract);
  return compiled;
}

export class ContractLedger {
  private readonly judged = new Map<string, ContractVerdict>();

  constructor(
    private readonly contract: CompiledContract,
    private readonly baseUrl: string,
    private readonly log: ExchangeLog,
  ) {
    log.onWholeBody((exchange, body) => {
      this.judged.set(exchange.id, judgeExchange(exchange, contract, { baseUrl, body }));
    });
  }

  /** One verdict per exchange of the run so far, in the order the requests were made. */
  verdicts(): ContractVerdict[] {
    return this.log.all().map((ex) => this.verdictOf(ex));
  }

  private verdictOf(ex: Exchange): ContractVerdict {
    const early = this.judged.get(ex.id);
    // A body judged on arrival, unless the exchange failed afterwards (then the record says more).
    if (early && !ex.error) return early;
    return judgeExchange(ex, this.contract, { baseUrl: this.baseUrl });
  }
}
