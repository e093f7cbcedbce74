// Request and response schemas of POST /api/test (SAELens's API key check).
import { Type } from 'typebox';

export const TestKeyBody = Type.Object({ apiKey: Type.String({ minLength: 1, maxLength: 256, description: 'The API key to check.' }) });
export const TestKeyResponse = Type.Object({
  message: Type.String(),
  user: Type.Object({ name: Type.String() }, { description: "The key holder's user name." }),
});
