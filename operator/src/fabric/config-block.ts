import { common, orderer } from '@hyperledger/fabric-protos';

/**
 * What a channel's config block (a genesis block, or the last config block) says about its
 * ordering: the consensus type (`etcdraft` or `BFT`) and the orderer group's value names
 * (a BFT channel carries its consenters in `Orderers`). Throws when the block holds no
 * channel configuration.
 */
export function channelOrdering(block: Uint8Array): { consensus: string; values: string[] } {
  const data = common.Block.deserializeBinary(block).getData()?.getDataList_asU8()[0];
  if (!data) throw new Error('the block has no transaction');
  const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(data).getPayload_asU8());
  const header = common.ChannelHeader.deserializeBinary(
    payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
  );
  if (header.getType() !== common.HeaderType.CONFIG) throw new Error('the block is not a config block');
  const group = common.ConfigEnvelope.deserializeBinary(payload.getData_asU8())
    .getConfig()
    ?.getChannelGroup()
    ?.getGroupsMap()
    .get('Orderer');
  if (!group) throw new Error('the config block has no Orderer group');
  const consensusValue = group.getValuesMap().get('ConsensusType');
  if (!consensusValue) throw new Error('the Orderer group has no ConsensusType');
  return {
    consensus: orderer.ConsensusType.deserializeBinary(consensusValue.getValue_asU8()).getType(),
    values: group
      .getValuesMap()
      .getEntryList()
      .map(([name]) => name)
      .sort(),
  };
}
