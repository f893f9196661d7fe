// The ImportPhoneNumber story through the AWS SDK for JavaScript v3 against a running localconnect.
//
//   node tests/js/story.mjs http://127.0.0.1:4599
//
// Prints one JSON object describing what the SDK observed (ids, statuses, error names and HTTP statuses,
// the types of parsed timestamps) and exits 0; on any unexpected failure prints the error to stderr and
// exits 1. tests/wire/test_js_sdk.py runs it and asserts on that JSON.
import {
  ConnectClient,
  CreateInstanceCommand,
  DescribeInstanceCommand,
  DescribePhoneNumberCommand,
  ImportPhoneNumberCommand,
  ListPhoneNumbersV2Command,
  ListTagsForResourceCommand,
  ReleasePhoneNumberCommand,
  TagResourceCommand,
} from "@aws-sdk/client-connect";
import {
  DescribePhoneNumbersCommand,
  PinpointSMSVoiceV2Client,
  RequestPhoneNumberCommand,
} from "@aws-sdk/client-pinpoint-sms-voice-v2";

const url = process.argv[2];
if (!url) {
  console.error("usage: node story.mjs <server url>");
  process.exit(2);
}

const config = {
  endpoint: url,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDJS", secretAccessKey: "secret" },
};
const connect = new ConnectClient(config);
const sms = new PinpointSMSVoiceV2Client(config);

/** Move the server's clock (the admin API), so settling happens without sleeping. */
async function advance(seconds) {
  const response = await fetch(`${url}/_localconnect/clock`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ advance_seconds: seconds }),
  });
  if (response.status !== 200) {
    throw new Error(`POST /_localconnect/clock answered ${response.status}: ${await response.text()}`);
  }
}

/** A parsed timestamp as the SDK gave it: its type, and its ISO form when it is a valid Date. */
function timestamp(value) {
  const isDate = value instanceof Date;
  return {
    type: isDate ? "Date" : typeof value,
    iso: isDate && !Number.isNaN(value.getTime()) ? value.toISOString() : null,
  };
}

/** Send a command that must fail; returns what the SDK made of the error. */
async function failure(client, command) {
  try {
    const output = await client.send(command);
    throw new Error(`${command.constructor.name} succeeded but should have failed: ${JSON.stringify(output)}`);
  } catch (err) {
    if (err.$metadata === undefined) throw err; // not a service error: our own or a transport failure
    const modeled = {};
    for (const key of ["ResourceType", "ResourceId", "Reason", "Fields"]) {
      if (err[key] !== undefined) modeled[key] = err[key];
    }
    return {
      name: err.name,
      httpStatusCode: err.$metadata.httpStatusCode,
      fault: err.$fault,
      message: err.message,
      requestId: err.$metadata.requestId ?? null,
      attempts: err.$metadata.attempts,
      modeled,
    };
  }
}

async function main() {
  const out = { errors: {} };
  const alias = `js-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

  const instance = await connect.send(new CreateInstanceCommand({
    IdentityManagementType: "CONNECT_MANAGED",
    InstanceAlias: alias,
    InboundCallsEnabled: true,
    OutboundCallsEnabled: true,
  }));
  out.instance = {
    id: instance.Id,
    arn: instance.Arn,
    alias,
    httpStatusCode: instance.$metadata.httpStatusCode,
    requestId: instance.$metadata.requestId ?? null,
  };

  await advance(1); // past instance_settle_seconds: the instance is ACTIVE
  const described = (await connect.send(new DescribeInstanceCommand({ InstanceId: instance.Id }))).Instance;
  out.instance.status = described.InstanceStatus;
  out.instance.createdTime = timestamp(described.CreatedTime);

  const source = await sms.send(new RequestPhoneNumberCommand({
    IsoCountryCode: "US",
    MessageType: "TRANSACTIONAL",
    NumberCapabilities: ["SMS", "VOICE"],
    NumberType: "TOLL_FREE",
  }));
  out.source = {
    id: source.PhoneNumberId,
    arn: source.PhoneNumberArn,
    phoneNumber: source.PhoneNumber,
    status: source.Status,
    numberType: source.NumberType,
    numberCapabilities: source.NumberCapabilities,
    createdTimestamp: timestamp(source.CreatedTimestamp),
    httpStatusCode: source.$metadata.httpStatusCode,
  };

  const imported = await connect.send(new ImportPhoneNumberCommand({
    InstanceId: instance.Id,
    SourcePhoneNumberArn: source.PhoneNumberArn,
    Tags: { team: "ops" },
  }));
  out.imported = { id: imported.PhoneNumberId, arn: imported.PhoneNumberArn };

  const summaryOf = async (id) =>
    (await connect.send(new DescribePhoneNumberCommand({ PhoneNumberId: id }))).ClaimedPhoneNumberSummary;
  const brief = (s) => ({
    id: s.PhoneNumberId,
    arn: s.PhoneNumberArn,
    phoneNumber: s.PhoneNumber,
    countryCode: s.PhoneNumberCountryCode,
    type: s.PhoneNumberType,
    status: s.PhoneNumberStatus,
    targetArn: s.TargetArn,
    instanceId: s.InstanceId,
    sourcePhoneNumberArn: s.SourcePhoneNumberArn,
    tags: s.Tags,
  });

  // By the ARN: the SDK percent-encodes it into the path (/phone-number/arn%3Aaws%3Aconnect%3A...%2F...)
  out.describedInProgress = brief(await summaryOf(imported.PhoneNumberArn));
  await advance(1); // past settle_seconds: CLAIMED
  out.describedClaimed = brief(await summaryOf(imported.PhoneNumberId));
  out.describedClaimedByArn = brief(await summaryOf(imported.PhoneNumberArn));

  const listed = await connect.send(new ListPhoneNumbersV2Command({ InstanceId: instance.Id }));
  out.listed = listed.ListPhoneNumbersSummaryList.map((n) => ({
    id: n.PhoneNumberId,
    arn: n.PhoneNumberArn,
    phoneNumber: n.PhoneNumber,
    type: n.PhoneNumberType,
    countryCode: n.PhoneNumberCountryCode,
    targetArn: n.TargetArn,
    instanceId: n.InstanceId,
    sourcePhoneNumberArn: n.SourcePhoneNumberArn,
  }));
  out.listedNextToken = listed.NextToken ?? null;

  const tagged = await connect.send(new TagResourceCommand({
    resourceArn: imported.PhoneNumberArn,
    tags: { cost: "42" },
  }));
  out.tagResourceStatus = tagged.$metadata.httpStatusCode;
  out.listedTags = (await connect.send(new ListTagsForResourceCommand({ resourceArn: imported.PhoneNumberArn }))).tags;
  out.describedTags = (await summaryOf(imported.PhoneNumberId)).Tags;

  out.errors.describeUnknown = await failure(connect, new DescribePhoneNumberCommand({
    PhoneNumberId: "00000000-0000-4000-8000-000000000000",
  }));
  out.errors.importAgain = await failure(connect, new ImportPhoneNumberCommand({
    InstanceId: instance.Id,
    SourcePhoneNumberArn: source.PhoneNumberArn,
  }));
  out.errors.smsDescribeUnknown = await failure(sms, new DescribePhoneNumbersCommand({
    PhoneNumberIds: ["phone-00000000000000000000000000000000"],
  }));

  const smsDescribed = (await sms.send(new DescribePhoneNumbersCommand({ PhoneNumberIds: [source.PhoneNumberId] })))
    .PhoneNumbers[0];
  out.sourceDescribed = {
    id: smsDescribed.PhoneNumberId,
    status: smsDescribed.Status,
    createdTimestamp: timestamp(smsDescribed.CreatedTimestamp),
  };

  const released = await connect.send(new ReleasePhoneNumberCommand({ PhoneNumberId: imported.PhoneNumberId }));
  out.releaseStatus = released.$metadata.httpStatusCode;
  out.errors.describeReleased = await failure(connect, new DescribePhoneNumberCommand({
    PhoneNumberId: imported.PhoneNumberId,
  }));

  process.stdout.write(JSON.stringify(out) + "\n");
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err && err.stack ? err.stack : err);
    if (err && err.$metadata) console.error(JSON.stringify({ name: err.name, $metadata: err.$metadata }));
    if (err && err.$response) console.error("raw response:", err.$response);
    process.exit(1);
  },
);
