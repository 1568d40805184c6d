import { describe, expect, it } from 'vitest';
import { QueryNode } from '../../../src/simulator/ec2/query-params.js';
import { firstUnknownParameter, parameterPattern } from '../../../src/simulator/ec2/query-vocabulary.js';

const parse = (form: Record<string, string>) => QueryNode.parse(new URLSearchParams(form));

describe('QueryNode', () => {
  it('reads lists in index order, filters and tags', () => {
    const params = parse({
      'InstanceId.10': 'i-c',
      'InstanceId.2': 'i-b',
      'InstanceId.1': 'i-a',
      'Filter.1.Name': 'tag:Owner',
      'Filter.1.Value.1': 'x',
      'Filter.1.Value.2': 'y',
      'Filter.2.Name': 'instance-state-name',
      'Tag.1.Key': 'Name',
      'Tag.1.Value': 'w',
      'Tag.2.Key': 'Empty',
    });
    expect(params.strings('InstanceId')).toEqual(['i-a', 'i-b', 'i-c']);
    expect(params.filters()).toEqual([
      { name: 'tag:Owner', values: ['x', 'y'] },
      { name: 'instance-state-name', values: [] },
    ]);
    expect(params.tags('Tag')).toEqual({ Name: 'w', Empty: '' });
  });

  it.each<{ form: Record<string, string>; read: (params: QueryNode) => unknown; error: string }>([
    {
      form: { MaxResults: 'x' },
      read: (p: QueryNode) => p.int('MaxResults'),
      error: 'InvalidParameterValue',
    },
    { form: { DryRun: 'yes' }, read: (p: QueryNode) => p.bool('DryRun'), error: 'InvalidParameterValue' },
    {
      form: { StartTime: 'yesterday' },
      read: (p: QueryNode) => p.time('StartTime'),
      error: 'InvalidParameterValue',
    },
    {
      form: { SpotPrice: '' },
      read: (p: QueryNode) => p.number('SpotPrice'),
      error: 'InvalidParameterValue',
    },
    { form: {}, read: (p: QueryNode) => p.required('ImageId'), error: 'MissingParameter' },
    {
      form: { 'InstanceId.0': 'i-1' },
      read: (p: QueryNode) => p.strings('InstanceId'),
      error: 'InvalidParameterValue',
    },
    {
      form: { 'Tag.1.Key': 'a', 'Tag.2.Key': 'a' },
      read: (p: QueryNode) => p.tags('Tag'),
      error: 'InvalidParameterValue',
    },
    {
      form: { 'TagSpecification.1.ResourceType': 'dragon' },
      read: (p: QueryNode) => p.tagSpecifications(['instance']),
      error: 'InvalidParameterValue',
    },
  ])('refuses $form', ({ form, read, error }) => {
    expect(() => read(parse(form))).toThrow(expect.objectContaining({ code: error }));
  });

  it('converts values', () => {
    const params = parse({
      MaxResults: '50',
      DryRun: 'TRUE',
      SpotPrice: '0.05',
      StartTime: '2024-01-01T00:00:00Z',
    });
    expect(params.int('MaxResults')).toBe(50);
    expect(params.bool('DryRun')).toBe(true);
    expect(params.number('SpotPrice')).toBe(0.05);
    expect(params.time('StartTime')).toBe(Date.UTC(2024, 0, 1));
    expect(params.int('Missing')).toBeUndefined();
  });
});

describe('query vocabulary', () => {
  it.each([
    ['Filter.3.Value.12', 'Filter.N.Value.N'],
    ['TagSpecification.1.Tag.2.Key', 'TagSpecification.N.Tag.N.Key'],
    ['ImageId', 'ImageId'],
  ])('%s has pattern %s', (name, pattern) => {
    expect(parameterPattern(name)).toBe(pattern);
  });

  it.each([
    {
      action: 'DescribeInstances',
      names: ['Action', 'Version', 'Filter.1.Name', 'MaxResults'],
      unknown: undefined,
    },
    { action: 'DescribeInstances', names: ['Action', 'ImageId'], unknown: 'ImageId' },
    {
      action: 'RunInstances',
      names: ['BlockDeviceMapping.1.Ebs.VolumeSize', 'Placement.AvailabilityZone'],
      unknown: undefined,
    },
    {
      action: 'RunInstances',
      names: ['LaunchSpecification.ImageId'],
      unknown: 'LaunchSpecification.ImageId',
    },
    {
      action: 'RequestSpotInstances',
      names: ['LaunchSpecification.NetworkInterface.1.SubnetId'],
      unknown: undefined,
    },
    { action: 'NoSuchAction', names: ['Action'], unknown: 'Action' },
  ])('$action with $names -> $unknown', ({ action, names, unknown }) => {
    expect(firstUnknownParameter(action, names)).toBe(unknown);
  });
});
