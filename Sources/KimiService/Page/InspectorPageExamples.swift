/// The inspector page's examples: a good Kimi K2 chat request, a prompt with the content-list
/// leak (an old template printed `[{'type': 'text', 'text': ''}]`), an engine's IDs for the good
/// request that lack the generation prompt, the good request rendered for Kimi K3, and a prompt
/// whose tokens cut UTF-8 characters.
enum InspectorPageExamples {
    static let json = #"""
        {
          "good-k2": {
            "family": "k2",
            "kind": "chat",
            "source": "{\n  \"messages\": [\n    {\n      \"role\": \"system\",\n      \"content\": \"You are a helpful assistant.\"\n    },\n    {\n      \"role\": \"user\",\n      \"content\": \"What is the weather in Paris?\"\n    },\n    {\n      \"role\": \"assistant\",\n      \"content\": \"\",\n      \"tool_calls\": [\n        {\n          \"id\": \"functions.get_weather:0\",\n          \"type\": \"function\",\n          \"function\": {\n            \"name\": \"get_weather\",\n            \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"\n          }\n        }\n      ]\n    },\n    {\n      \"role\": \"tool\",\n      \"tool_call_id\": \"functions.get_weather:0\",\n      \"content\": \"{\\\"temp_c\\\": 18}\"\n    }\n  ],\n  \"tools\": [\n    {\n      \"type\": \"function\",\n      \"function\": {\n        \"name\": \"get_weather\",\n        \"description\": \"Current weather for a city\",\n        \"parameters\": {\n          \"type\": \"object\",\n          \"properties\": {\n            \"city\": {\n              \"type\": \"string\"\n            }\n          },\n          \"required\": [\n            \"city\"\n          ]\n        }\n      }\n    }\n  ]\n}",
            "engine": "",
            "generation_prompt": true
          },
          "content-list-leak": {
            "family": "k2",
            "kind": "prompt",
            "source": "<|im_system|>system<|im_middle|>You are a helpful assistant.<|im_end|><|im_user|>user<|im_middle|>What is the weather in Paris?<|im_end|><|im_assistant|>assistant<|im_middle|>[{'type': 'text', 'text': ''}]<|tool_calls_section_begin|><|tool_call_begin|>functions.get_weather:0<|tool_call_argument_begin|>{\"city\": \"Paris\"}<|tool_call_end|><|tool_calls_section_end|><|im_end|><|im_assistant|>assistant<|im_middle|>",
            "engine": "",
            "generation_prompt": true
          },
          "compare-missing-generation-prompt": {
            "family": "k2",
            "kind": "chat",
            "source": "{\n  \"messages\": [\n    {\n      \"role\": \"system\",\n      \"content\": \"You are a helpful assistant.\"\n    },\n    {\n      \"role\": \"user\",\n      \"content\": \"What is the weather in Paris?\"\n    },\n    {\n      \"role\": \"assistant\",\n      \"content\": \"\",\n      \"tool_calls\": [\n        {\n          \"id\": \"functions.get_weather:0\",\n          \"type\": \"function\",\n          \"function\": {\n            \"name\": \"get_weather\",\n            \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"\n          }\n        }\n      ]\n    },\n    {\n      \"role\": \"tool\",\n      \"tool_call_id\": \"functions.get_weather:0\",\n      \"content\": \"{\\\"temp_c\\\": 18}\"\n    }\n  ],\n  \"tools\": [\n    {\n      \"type\": \"function\",\n      \"function\": {\n        \"name\": \"get_weather\",\n        \"description\": \"Current weather for a city\",\n        \"parameters\": {\n          \"type\": \"object\",\n          \"properties\": {\n            \"city\": {\n              \"type\": \"string\"\n            }\n          },\n          \"required\": [\n            \"city\"\n          ]\n        }\n      }\n    }\n  ]\n}",
            "engine": "[163594, 20960, 35556, 677, 163601, 81103, 2217, 1289, 414, 3879, 665, 414, 3879, 1289, 9392, 1152, 1289, 414, 618, 21055, 2800, 665, 414, 11031, 1289, 414, 7957, 10666, 395, 261, 5243, 665, 414, 24453, 1289, 9392, 2217, 1289, 414, 3721, 665, 414, 27129, 1289, 9392, 37666, 1289, 9392, 2217, 1289, 414, 2033, 16934, 3589, 414, 20331, 1289, 8681, 37666, 3956, 5375, 41885, 163586, 163594, 14062, 163601, 3900, 554, 261, 13205, 26626, 13, 163586, 163587, 2482, 163601, 5376, 387, 276, 10666, 306, 17374, 30, 163586, 163588, 69702, 163601, 163595, 163597, 41937, 1150, 21055, 2800, 25, 15, 163598, 8264, 37666, 1289, 414, 113476, 16934, 163599, 163596, 163586, 163594, 20960, 163601, 798, 6014, 318, 8271, 1150, 21055, 2800, 25, 15, 198, 274, 9392, 15566, 1105, 1289, 220, 1428, 92, 163586]",
            "generation_prompt": true
          },
          "k3-request": {
            "family": "k3",
            "kind": "chat",
            "source": "{\n  \"messages\": [\n    {\n      \"role\": \"system\",\n      \"content\": \"You are a helpful assistant.\"\n    },\n    {\n      \"role\": \"user\",\n      \"content\": \"What is the weather in Paris?\"\n    },\n    {\n      \"role\": \"assistant\",\n      \"content\": \"\",\n      \"tool_calls\": [\n        {\n          \"id\": \"functions.get_weather:0\",\n          \"type\": \"function\",\n          \"function\": {\n            \"name\": \"get_weather\",\n            \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"\n          }\n        }\n      ]\n    },\n    {\n      \"role\": \"tool\",\n      \"tool_call_id\": \"functions.get_weather:0\",\n      \"content\": \"{\\\"temp_c\\\": 18}\"\n    }\n  ],\n  \"tools\": [\n    {\n      \"type\": \"function\",\n      \"function\": {\n        \"name\": \"get_weather\",\n        \"description\": \"Current weather for a city\",\n        \"parameters\": {\n          \"type\": \"object\",\n          \"properties\": {\n            \"city\": {\n              \"type\": \"string\"\n            }\n          },\n          \"required\": [\n            \"city\"\n          ]\n        }\n      }\n    }\n  ]\n}",
            "engine": "",
            "generation_prompt": true
          },
          "partial-utf8": {
            "family": "k2",
            "kind": "prompt",
            "source": "𝕂𝕚𝕞𝕚 🫠 ꙮ",
            "engine": "",
            "generation_prompt": false
          }
        }
        """#
}
