/** Bounds on everything a request can make the chaincode do (TigerBeetle style). */
export const Limits = {
  inputsMax: 64,
  outputsMax: 16,
  /** Longest id accepted for recharge orders, screenings and seats. */
  idLengthMax: 64,
  memoHashLength: 64,
  /** Largest JSON argument accepted, in UTF-16 code units, before parsing. */
  argumentLengthMax: 64 * 1024,
  seatsPerScreeningMax: 1000,
  seatsPerPurchaseMax: 10,
  filmTitleLengthMax: 200,
  listPageSizeMax: 100,
  traceDepthMax: 64,
  traceNodesMax: 500,
} as const;
