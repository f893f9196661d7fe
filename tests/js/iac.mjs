// Terraform's and CloudFormation's call sequences through the AWS SDK for JavaScript v3 against a running
// localconnect: the same calls, parameters and waiters as tests/iac/terraform_provider.py and
// tests/iac/test_cloudformation.py (which name the provider and handler files they come from), made by a second,
// independent SDK.
//
//   node tests/js/iac.mjs http://127.0.0.1:4599
//
// Prints one JSON object (the states each resource's Read produced, the commands each step sent, the errors the
// SDK parsed) and exits 0; on an unexpected failure prints it to stderr and exits 1. tests/iac/test_js_sdk_iac.py
// runs it and asserts on the JSON.
import {
  AssociatePhoneNumberContactFlowCommand,
  ClaimPhoneNumberCommand,
  ConnectClient,
  CreateContactFlowCommand,
  CreateInstanceCommand,
  DeleteInstanceCommand,
  DescribeContactFlowCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstanceCommand,
  DescribePhoneNumberCommand,
  DisassociatePhoneNumberContactFlowCommand,
  ImportPhoneNumberCommand,
  ListContactFlowsCommand,
  ListFlowAssociationsCommand,
  ReleasePhoneNumberCommand,
  SearchAvailablePhoneNumbersCommand,
  UpdateInstanceAttributeCommand,
} from "@aws-sdk/client-connect";
import {
  DescribePhoneNumbersCommand,
  ListTagsForResourceCommand,
  PinpointSMSVoiceV2Client,
  ReleasePhoneNumberCommand as ReleaseSmsNumberCommand,
  RequestPhoneNumberCommand,
} from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { randomUUID } from "node:crypto";

const url = process.argv[2];
if (!url) {
  console.error("usage: node iac.mjs <server url>");
  process.exit(2);
}
const config = {
  endpoint: url,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDJSIAC", secretAccessKey: "secret" },
};
const connect = new ConnectClient(config);
const sms = new PinpointSMSVoiceV2Client(config);
const sts = new STSClient(config);

// Every command each client sends, in order (the SDK's commandName, without "Command").
let sent = [];
for (const client of [connect, sms, sts]) {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName.replace(/Command$/, ""));
      return next(args);
    },
    { step: "initialize", name: "recordCommands" },
  );
}
function step(fn) {
  return async (...args) => {
    sent = [];
    const result = await fn(...args);
    return { result, sent };
  };
}

async function advance(seconds) {
  const response = await fetch(`${url}/_localconnect/clock`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ advance_seconds: seconds }),
  });
  if (response.status !== 200) throw new Error(`clock: ${response.status}`);
}

const notFound = (err) => err?.name === "ResourceNotFoundException";

// retry.StateChangeConf: refresh until a target state; null (not found) is success for an empty target; any
// state outside pending and target fails. The SDK's sleeps (100 ms doubling to 10 s) move the service clock.
async function waitFor(pending, target, refresh, timeout) {
  let elapsed = 0;
  let interval = 0.1;
  for (;;) {
    const [result, state] = await refresh();
    if (result === null) {
      if (target.length === 0) return null;
    } else if (target.includes(state)) {
      return result;
    } else if (!pending.includes(state)) {
      throw new Error(`unexpected state '${state}', wanted target '${target.join(", ")}'`);
    }
    if (elapsed >= timeout) throw new Error("timeout");
    await advance(interval);
    elapsed += interval;
    interval = Math.min(interval * 2, 10);
  }
}

async function orNull(promise) {
  try {
    return await promise;
  } catch (err) {
    if (notFound(err)) return null;
    throw err;
  }
}

// --- instance.go ------------------------------------------------------------------------------------------
const ATTRIBUTES = [
  ["auto_resolve_best_voices_enabled", "AUTO_RESOLVE_BEST_VOICES", true],
  ["contact_flow_logs_enabled", "CONTACTFLOW_LOGS", false],
  ["contact_lens_enabled", "CONTACT_LENS", true],
  ["early_media_enabled", "EARLY_MEDIA", true],
  ["inbound_calls_enabled", "INBOUND_CALLS", true],
  ["multi_party_conference_enabled", "MULTI_PARTY_CONFERENCE", false],
  ["outbound_calls_enabled", "OUTBOUND_CALLS", true],
];
const instanceStatus = (id) => async () => {
  const out = await orNull(connect.send(new DescribeInstanceCommand({ InstanceId: id })));
  return out === null ? [null, ""] : [out.Instance, out.Instance.InstanceStatus];
};
async function instanceRead(id) {
  const out = await orNull(connect.send(new DescribeInstanceCommand({ InstanceId: id })));
  if (out === null) return null;
  const state = { id: out.Instance.Id, arn: out.Instance.Arn, status: out.Instance.InstanceStatus };
  for (const [key, type] of ATTRIBUTES) {
    const attribute = await connect.send(new DescribeInstanceAttributeCommand({ InstanceId: id, AttributeType: type }));
    state[key] = attribute.Attribute.Value === "true";
  }
  return state;
}
const instanceCreate = step(async (alias) => {
  const out = await connect.send(new CreateInstanceCommand({
    ClientToken: `terraform-${Date.now()}`, IdentityManagementType: "CONNECT_MANAGED", InstanceAlias: alias,
    InboundCallsEnabled: true, OutboundCallsEnabled: true,
  }));
  await waitFor(["CREATION_IN_PROGRESS"], ["ACTIVE"], instanceStatus(out.Id), 300);
  for (const [key, type, value] of ATTRIBUTES) {
    const wanted = key === "contact_flow_logs_enabled" ? true : value;
    await connect.send(new UpdateInstanceAttributeCommand({ InstanceId: out.Id, AttributeType: type, Value: String(wanted) }));
  }
  return instanceRead(out.Id);
});
const instanceDelete = step(async (id) => {
  await connect.send(new DeleteInstanceCommand({ InstanceId: id }));
  await waitFor(["ACTIVE"], [], instanceStatus(id), 300);
  return instanceRead(id);
});

// --- phone_number.go --------------------------------------------------------------------------------------
const numberStatus = (id) => async () => {
  const out = await orNull(connect.send(new DescribePhoneNumberCommand({ PhoneNumberId: id })));
  return out === null ? [null, ""] : [out.ClaimedPhoneNumberSummary, out.ClaimedPhoneNumberSummary.PhoneNumberStatus.Status];
};
async function numberRead(id) {
  const out = await orNull(connect.send(new DescribePhoneNumberCommand({ PhoneNumberId: id })));
  if (out === null) return null;
  const s = out.ClaimedPhoneNumberSummary;
  return { id: s.PhoneNumberId, arn: s.PhoneNumberArn, phoneNumber: s.PhoneNumber, countryCode: s.PhoneNumberCountryCode,
           type: s.PhoneNumberType, targetArn: s.TargetArn, status: s.PhoneNumberStatus, tags: s.Tags ?? {} };
}
const numberCreate = step(async (targetArn, countryCode, type) => {
  const found = await connect.send(new SearchAvailablePhoneNumbersCommand({
    MaxResults: 1, PhoneNumberCountryCode: countryCode, PhoneNumberType: type, TargetArn: targetArn,
  }));
  if (!found.AvailableNumbersList?.length) throw new Error("empty result");
  const claimed = await connect.send(new ClaimPhoneNumberCommand({
    ClientToken: randomUUID(), PhoneNumber: found.AvailableNumbersList[0].PhoneNumber, TargetArn: targetArn,
    Tags: { managed_by: "terraform" },
  }));
  await waitFor(["IN_PROGRESS"], ["CLAIMED"], numberStatus(claimed.PhoneNumberId), 120);
  return numberRead(claimed.PhoneNumberId);
});
const numberDelete = step(async (id) => {
  await connect.send(new ReleasePhoneNumberCommand({ ClientToken: randomUUID(), PhoneNumberId: id }));
  await waitFor(["IN_PROGRESS"], [], numberStatus(id), 120);
  return numberRead(id);
});

// --- contact_flow_data_source.go, phone_number_contact_flow_association.go --------------------------------
const flowByName = step(async (instanceId, name) => {
  let token;
  do {
    const page = await connect.send(new ListContactFlowsCommand({ InstanceId: instanceId, MaxResults: 60, NextToken: token }));
    const found = page.ContactFlowSummaryList.find((f) => f.Name === name);
    if (found) {
      const out = await connect.send(new DescribeContactFlowCommand({ InstanceId: instanceId, ContactFlowId: found.Id }));
      return { id: out.ContactFlow.Id, arn: out.ContactFlow.Arn, type: out.ContactFlow.Type, status: out.ContactFlow.Status };
    }
    token = page.NextToken;
  } while (token);
  throw new Error(`not found: ${name}`);
});
const associationRead = step(async (numberId, instanceId, flowId) => {
  const number = await orNull(connect.send(new DescribePhoneNumberCommand({ PhoneNumberId: numberId })));
  if (number === null) return null;
  const flow = await orNull(connect.send(new DescribeContactFlowCommand({ InstanceId: instanceId, ContactFlowId: flowId })));
  if (flow === null) return null;
  const matches = [];
  let token;
  do {
    const page = await connect.send(new ListFlowAssociationsCommand({
      InstanceId: instanceId, ResourceType: "VOICE_PHONE_NUMBER", NextToken: token,
    }));
    matches.push(...page.FlowAssociationSummaryList.filter(
      (a) => a.ResourceId === number.ClaimedPhoneNumberSummary.PhoneNumberArn && a.FlowId === flow.ContactFlow.Arn));
    token = page.NextToken;
  } while (token);
  return matches.length === 1 ? matches[0] : matches.length === 0 ? null : "too many results";
});

// --- pinpointsmsvoicev2/phone_number.go -------------------------------------------------------------------
const smsStatus = (id) => async () => {
  const out = await orNull(sms.send(new DescribePhoneNumbersCommand({ PhoneNumberIds: [id] })));
  if (out === null || out.PhoneNumbers[0].Status === "DELETED") return [null, ""];
  return [out.PhoneNumbers[0], out.PhoneNumbers[0].Status];
};
const smsCreate = step(async () => {
  const out = await sms.send(new RequestPhoneNumberCommand({
    IsoCountryCode: "US", MessageType: "TRANSACTIONAL", NumberCapabilities: ["SMS", "VOICE"], NumberType: "TOLL_FREE",
    OptOutListName: "Default", Tags: [{ Key: "managed_by", Value: "terraform" }],
  }));
  const number = await waitFor(["PENDING", "ASSOCIATING"], ["ACTIVE"], smsStatus(out.PhoneNumberId), 300);
  const tags = await sms.send(new ListTagsForResourceCommand({ ResourceArn: number.PhoneNumberArn }));
  return { id: number.PhoneNumberId, arn: number.PhoneNumberArn, phoneNumber: number.PhoneNumber, status: number.Status,
           tags: tags.Tags };
});
const smsDelete = step(async (id) => {
  await sms.send(new ReleaseSmsNumberCommand({ PhoneNumberId: id }));
  return waitFor(["DISASSOCIATING"], [], smsStatus(id), 300);
});

// --- CloudFormation AWS::Connect::PhoneNumber, import with SourcePhoneNumberArn ----------------------------
const cfnImport = step(async (targetArn, sourceArn) => {
  const out = await connect.send(new ImportPhoneNumberCommand({ InstanceId: targetArn, SourcePhoneNumberArn: sourceArn }));
  for (let attempt = 0; attempt < 20; attempt++) {
    await advance(2);
    const s = (await connect.send(new DescribePhoneNumberCommand({ PhoneNumberId: out.PhoneNumberArn }))).ClaimedPhoneNumberSummary;
    if (s.PhoneNumberStatus.Status === "FAILED") throw new Error("CfnNotStabilizedException");
    if (s.PhoneNumberStatus.Status === "CLAIMED") break;
    await advance(30);
  }
  return numberRead(out.PhoneNumberArn);
});

async function failure(promise) {
  try {
    await promise;
  } catch (err) {
    return { name: err.name, httpStatusCode: err.$metadata?.httpStatusCode, message: err.message,
             problems: err.problems ?? null };
  }
  throw new Error("expected an error");
}

const result = {};
try {
  result.configure = await step(async () => (await sts.send(new GetCallerIdentityCommand({}))))();
  result.instance = await instanceCreate("js-iac");
  const instance = result.instance.result;
  result.number = await numberCreate(instance.arn, "NZ", "DID");
  result.flow = await flowByName(instance.id, "Sample inbound flow (first contact experience)");
  result.associate = await step(async () => connect.send(new AssociatePhoneNumberContactFlowCommand({
    PhoneNumberId: result.number.result.id, InstanceId: instance.id, ContactFlowId: result.flow.result.id,
  })))();
  result.associationRead = await associationRead(result.number.result.id, instance.id, result.flow.result.id);
  result.errors = await step(async () => ({
    invalidFlow: await failure(connect.send(new CreateContactFlowCommand({
      InstanceId: instance.id, Name: "Broken", Type: "CONTACT_FLOW", Content: '{"Version": "2019-10-30", "Actions": []}',
    }))),
    duplicateFlow: await failure(connect.send(new CreateContactFlowCommand({
      InstanceId: instance.id, Name: "Default agent hold", Type: "AGENT_HOLD",
      Content: '{"Version":"2019-10-30","StartAction":"a","Actions":[{"Identifier":"a","Type":"EndFlowExecution","Transitions":{}}]}',
    }))),
  }))();
  result.disassociate = await step(async () => connect.send(new DisassociatePhoneNumberContactFlowCommand({
    PhoneNumberId: result.number.result.id, InstanceId: instance.id,
  })))();
  result.associationReadAfter = await associationRead(result.number.result.id, instance.id, result.flow.result.id);
  result.source = await smsCreate();
  result.imported = await cfnImport(instance.arn, result.source.result.arn);
  result.releaseImported = await numberDelete(result.imported.result.id);
  result.smsDelete = await smsDelete(result.source.result.id);
  result.numberDelete = await numberDelete(result.number.result.id);
  result.instanceDelete = await instanceDelete(instance.id);
} catch (err) {
  console.error(err);
  process.exit(1);
}
console.log(JSON.stringify(result, (key, value) => (key === "$metadata" ? undefined : value)));
