// AWS, as documented at https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
// (Signature Version 4), the STS GetCallerIdentity, DynamoDB and S3 API
// references: every request signed for its service and region, the signature
// checked by the `aws4` library over the host, path, query and body hash the
// provider sees; temporary credentials with their session token; DynamoDB's
// JSON protocol (X-Amz-Target); S3's path signed as sent; AccessDenied for a
// missing IAM permission returned to the caller; and, once the temporary
// credentials expire, ExpiredToken, which loses the connection
// (credentials_rejected).
import assert from 'node:assert/strict';
import { sigv4Check } from './fixtures/signatures.mjs';

const KEY = { id: 'ASIAIOSFODNN7EXAMPLE', secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', session: 'FwoGZXIvYXdzEFAKE//sessiontoken+with/odd=chars' };
const ARN = 'arn:aws:sts::123456789012:assumed-role/automation/connauth';
const refused = [];
const signedFor = (...scopes) => sigv4Check({ keys: { [KEY.id]: { secretAccessKey: KEY.secret, sessionToken: KEY.session } }, scopes, problems: refused });

// Each service's answer to credentials it does not accept: ExpiredToken for a
// well-signed request whose temporary credentials ended, else an unknown key.
const unauthorized = (r) => {
  const expired = r.headers.authorization?.includes(KEY.id) && !refused.length;
  if (r.host === 'dynamodb.us-east-1.amazonaws.com') {
    return { status: 400, body: { __type: `com.amazon.coral.service#${expired ? 'ExpiredTokenException' : 'UnrecognizedClientException'}`,
      message: expired ? 'The security token included in the request is expired' : 'The security token included in the request is invalid.' } };
  }
  if (r.host.endsWith('s3.us-east-1.amazonaws.com')) {
    return { status: 403, body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${expired ? 'ExpiredToken' : 'InvalidAccessKeyId'}</Code><Message>${expired ? 'The provided token has expired.' : 'The AWS Access Key Id you provided does not exist in our records.'}</Message></Error>` };
  }
  return { status: 403, body: { Error: { Code: expired ? 'ExpiredToken' : 'InvalidClientTokenId', Type: 'Sender',
    Message: expired ? 'The security token included in the request is expired' : 'The security token included in the request is invalid.' },
  RequestId: '01234567-89ab-cdef-0123-456789abcdef' } };
};

export default {
  title: 'AWS',
  connector: 'aws',
  // The egress list the entry tells the admin to set: the hosts its signing
  // rules cover, and no other amazonaws.com host (EC2 and load balancer
  // names there are anyone's servers).
  egress: ['sts.amazonaws.com', 'iam.amazonaws.com', 's3.amazonaws.com', '*.s3.amazonaws.com', 's3.us-east-1.amazonaws.com',
    '*.s3.us-east-1.amazonaws.com', 'dynamodb.us-east-1.amazonaws.com', 'lambda.us-east-1.amazonaws.com',
    'sqs.us-east-1.amazonaws.com', 'sns.us-east-1.amazonaws.com', '*.execute-api.us-east-1.amazonaws.com'],
  fields: { access_key_id: KEY.id, secret_access_key: KEY.secret, session_token: KEY.session },
  call: { method: 'POST', url: 'https://dynamodb.us-east-1.amazonaws.com/',
    headers: [['Content-Type', 'application/x-amz-json-1.0'], ['X-Amz-Target', 'DynamoDB_20120810.ListTables']], body: '{"Limit": 10}' },
  refresh: false,
  lostCause: 'credentials_rejected',
  provider: {
    keys: [KEY.id],
    api: [
      { at: 'sts.amazonaws.com/', credential: signedFor('sts/us-east-1'),
        answer: (g, r) => (r.query.Action === 'GetCallerIdentity' && r.headers.accept === 'application/json'
          ? { GetCallerIdentityResponse: { GetCallerIdentityResult: { Account: '123456789012', Arn: ARN, UserId: 'AROA3XFRBF535PLBIFPI4:connauth' },
            ResponseMetadata: { RequestId: '01234567-89ab-cdef-0123-456789abcdef' } } }
          : { status: 400, body: { Error: { Code: 'InvalidAction', Message: 'unexpected' } } }) },
      { at: 'dynamodb.us-east-1.amazonaws.com/', method: 'POST', credential: signedFor('dynamodb/us-east-1'),
        headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' },
        answer: (g, r) => ({ TableNames: ['Orders', 'Customers'].slice(0, r.json?.Limit ?? JSON.parse(r.body).Limit) }) },
      { at: 'examplebucket.s3.us-east-1.amazonaws.com/photos/*', credential: signedFor('s3/us-east-1'),
        answer: () => ({ status: 200, body: 'JPEG...' }) },
      // A call the identity's IAM policy does not allow.
      { at: 'dynamodb.us-east-1.amazonaws.com/', method: 'PUT', credential: signedFor('dynamodb/us-east-1'), answer: () => ({}) },
      { at: 'iam.amazonaws.com/', credential: signedFor('iam/us-east-1'),
        answer: () => ({ status: 403, body: { Error: { Code: 'AccessDenied', Type: 'Sender',
          Message: `User: ${ARN} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::123456789012:user/` } } }) },
    ],
    unauthorized,
  },

  connected(sim, connected) {
    assert.equal(connected.identity, ARN);
    assert.deepEqual(refused, [], 'every signature checked out');
    const test = sim.fake.requestsTo('sts.amazonaws.com/').at(-1);
    assert.match(test.headers.authorization, /Credential=ASIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/sts\/aws4_request/);
    assert.equal(test.headers['x-amz-security-token'], KEY.session);
  },
  async called(sim, { response }) {
    assert.deepEqual(JSON.parse(response.body), { TableNames: ['Orders', 'Customers'] });
    // S3: its own signing rule, the path signed as sent (a space in the key, percent-encoded once).
    const s3 = await sim.call({ method: 'GET', url: 'https://examplebucket.s3.us-east-1.amazonaws.com/photos/summer%20trip.jpg' });
    assert.equal(s3.response.body, 'JPEG...');
    assert.match(s3.sent.headers.Authorization ?? s3.sent.headers.authorization, /\/us-east-1\/s3\/aws4_request/);
    // AccessDenied is the caller's: not a refresh, and the connection is not touched.
    const denied = await sim.session.request({ method: 'GET', url: 'https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08', headers: [], body: '' });
    assert.equal(denied.ok, true, JSON.stringify(denied));
    assert.equal(denied.value.response.status, 403);
    assert.equal(denied.value.classification.action, 'error');
    assert.deepEqual(refused, [], 'every signature checked out');
  },
  lost(sim, error) {
    // The temporary credentials expired: the call and Check connection answered ExpiredToken.
    assert.match(error.lost.detail, /HTTP 403/);
    assert.equal(sim.sent.at(-1).step, 'test');
    const said = JSON.stringify(error);
    assert.equal(said.includes(KEY.secret) || said.includes(KEY.session), false);
  },
};
