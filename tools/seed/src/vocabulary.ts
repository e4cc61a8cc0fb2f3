/** Fixed word lists the generator draws from; changing them changes every seeded dataset. */

export const TOPICS = [
  'tech', 'ai', 'programming', 'gaming', 'music', 'movies', 'sports', 'football', 'basketball',
  'travel', 'food', 'cooking', 'fitness', 'health', 'science', 'space', 'climate', 'finance',
  'crypto', 'startups', 'design', 'photography', 'art', 'books', 'history', 'politics', 'fashion',
  'cars', 'pets', 'parenting', 'diy', 'gardening', 'education', 'comedy', 'anime', 'esports',
  'architecture', 'outdoors', 'coffee', 'mobile',
] as const;

export const ADJECTIVES = [
  'quiet', 'brave', 'rapid', 'lucky', 'clever', 'sunny', 'cosmic', 'gentle', 'bold', 'curious',
  'misty', 'golden', 'silent', 'wild', 'urban', 'tiny', 'vivid', 'crisp', 'noble', 'rustic',
] as const;

export const NOUNS = [
  'otter', 'falcon', 'maple', 'river', 'pixel', 'comet', 'harbor', 'lantern', 'meadow', 'summit',
  'cedar', 'echo', 'ember', 'glacier', 'orbit', 'prairie', 'quartz', 'reef', 'sparrow', 'willow',
] as const;

export const TITLE_OPENERS = [
  'Why', 'How', 'What nobody tells you about', 'A beginner\'s guide to', 'Ten lessons from',
  'Inside', 'The future of', 'Rethinking', 'Notes on', 'Live:', 'Watch:', 'Behind the scenes of',
] as const;

export const WORDS = [
  'the', 'a', 'of', 'and', 'to', 'in', 'system', 'feed', 'people', 'time', 'data', 'design',
  'small', 'large', 'fast', 'simple', 'team', 'idea', 'story', 'world', 'city', 'night', 'light',
  'music', 'game', 'play', 'build', 'learn', 'share', 'watch', 'read', 'write', 'start', 'change',
  'better', 'every', 'first', 'last', 'new', 'old', 'good', 'great', 'real', 'open', 'close',
  'market', 'model', 'signal', 'noise', 'river', 'mountain', 'kitchen', 'garden', 'engine', 'road',
  'season', 'match', 'score', 'winter', 'summer', 'coffee', 'camera', 'screen', 'song', 'album',
  'planet', 'science', 'energy', 'budget', 'travel', 'journey', 'window', 'question', 'answer',
] as const;
