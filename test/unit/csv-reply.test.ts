import { describe, expect, it } from 'vitest';
import { csvReply } from '../../functions/api/representations.js';

describe('a CSV reply', () => {
  it('writes text a spreadsheet would run as a formula after a quote mark, and numbers as they are', () => {
    // Act
    const reply = csvReply(200, ['name', 'amount'] as const, [
      { name: '=HYPERLINK("http://evil.example","x")', amount: '-12.50' },
      { name: '+1 call', amount: '3' },
      { name: '@SUM(A1)', amount: '+4.00' },
      { name: 'Plain, with comma', amount: '0.00' },
    ]);
    // Assess
    expect(String(reply.body).split('\r\n')).toEqual([
      'name,amount',
      `"'=HYPERLINK(""http://evil.example"",""x"")",-12.50`,
      "'+1 call,3",
      "'@SUM(A1),+4.00",
      '"Plain, with comma",0.00',
      '',
    ]);
  });
});
